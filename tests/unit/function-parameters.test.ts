// Functions in lib/ and app/ take at most 4 positional parameters: past that, a call site cannot be read without
// the signature beside it, and an options object names each value.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const MAX_POSITIONAL = 4;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** "file:line name (count)" for every function-like declaration with more than `max` parameters. */
function longSignatures(file: string, text: string, max: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && node.parameters.length > max) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const name = node.name?.getText(source) ?? "(anonymous)";
      found.push(`${path.relative(root, file)}:${line} ${name} (${node.parameters.length})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("function signatures", () => {
  it("no function in lib/ or app/ takes more than 4 positional parameters", () => {
    const files = [...sourceFiles(path.join(root, "lib")), ...sourceFiles(path.join(root, "app"))];
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => longSignatures(file, fs.readFileSync(file, "utf8"), MAX_POSITIONAL))).toEqual([]);
  });

  it("sees a long signature when there is one", () => {
    expect(
      longSignatures(
        "/x/a.ts",
        "export function f(a: 1, b: 2, c: 3, d: 4, e: 5) {}\nconst g = (a: 1) => a;",
        MAX_POSITIONAL,
      ),
    ).toEqual([expect.stringMatching(/a\.ts:1 f \(5\)$/)]);
  });
});
