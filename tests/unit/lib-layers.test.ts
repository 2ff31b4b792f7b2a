// lib/ reads downward: a folder (or top-level module) never imports, directly or through others, one that uses it.
// Each lib/ folder and each top-level lib/ module is a node; an import between two of them is an edge; the graph
// must have no cycle.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const lib = path.resolve(import.meta.dirname, "../../lib");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return /\.(ts|tsx|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** lib/mailbox/transports/smtp.ts → "mailbox"; lib/env.ts → "env". */
const nodeOf = (file: string) =>
  path
    .relative(lib, file)
    .split(path.sep)[0]
    .replace(/\.(ts|tsx|mjs)$/, "");

function importGraph(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(lib)) {
    const source = fs.readFileSync(file, "utf8");
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+|@\/lib\/[^"']+)["']/g)) {
      const spec = match[1];
      const target = spec.startsWith("@/")
        ? path.resolve(lib, "..", spec.slice(2))
        : path.resolve(path.dirname(file), spec);
      if (!target.startsWith(lib + path.sep)) continue;
      const [from, to] = [nodeOf(file), nodeOf(target)];
      if (from === to || to === "generated") continue;
      if (!edges.has(from)) edges.set(from, new Map());
      edges.get(from)!.set(to, path.relative(lib, file));
    }
  }
  return edges;
}

function cycles(edges: Map<string, Map<string, string>>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (node: string) => {
    stack.push(node);
    for (const [next, via] of edges.get(node) ?? []) {
      const at = stack.indexOf(next);
      if (at >= 0) found.push(`${[...stack.slice(at), next].join(" → ")} (closing import in lib/${via})`);
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    done.add(node);
  };
  for (const node of edges.keys()) if (!done.has(node)) visit(node);
  return found;
}

describe("lib/ folders import downward only", () => {
  const edges = importGraph();

  it("reads the imports it judges (the check is not vacuous)", () => {
    expect(edges.get("watch")?.has("mailbox")).toBe(true);
    expect(edges.get("mailbox")?.has("secrets")).toBe(true);
  });

  it("has no cycle between folders or top-level modules", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("keeps the mailbox, secrets, network guard and SMTP knowledge below the watch", () => {
    for (const lower of ["mailbox", "secrets", "net", "smtp"])
      expect(edges.get(lower)?.has("watch") ?? false, lower).toBe(false);
  });

  it("finds a cycle when there is one", () => {
    const looped = new Map([
      ["a", new Map([["b", "a.ts"]])],
      ["b", new Map([["a", "b/x.ts"]])],
    ]);
    expect(cycles(looped)).toEqual(["a → b → a (closing import in lib/b/x.ts)"]);
  });
});
