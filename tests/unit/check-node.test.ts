// scripts/check-node.mjs, the first step of `npm run quickstart`: one line and exit 1 on a Node older than
// package.json's engines.node, silence and exit 0 otherwise.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const script = path.join(root, "scripts/check-node.mjs");
const { engines } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  engines: { node: string };
};

function checkNode(version: string) {
  const run = spawnSync(process.execPath, [script, version], { cwd: root, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("check-node", () => {
  it("takes the required major from package.json's engines.node", () => {
    expect(engines.node).toBe(">=24");
    // The same script beside a package.json that asks for more.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-node-"));
    fs.mkdirSync(path.join(dir, "scripts"));
    fs.copyFileSync(script, path.join(dir, "scripts/check-node.mjs"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ engines: { node: ">=26.1" } }));
    try {
      const run = spawnSync(process.execPath, [path.join(dir, "scripts/check-node.mjs"), "v24.21.0"], {
        encoding: "utf8",
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("needs Node.js 26 or later (found v24.21.0)");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops an older Node with one line naming the version found, the version needed and the README section", () => {
    expect(checkNode("v20.20.2")).toEqual({
      status: 1,
      stdout: "",
      stderr: 'Finance Email Setup needs Node.js 24 or later (found v20.20.2). See "Requirements" in README.md.\n',
    });
  });

  it("lets Node 24 and later through without a word", () => {
    expect(checkNode("v24.0.0")).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(checkNode("v25.1.0")).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("checks the running Node when given no version", () => {
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1);
  });
});
