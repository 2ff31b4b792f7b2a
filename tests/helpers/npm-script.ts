import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./database";

/** What `npm run <name>` runs (package.json), tsx taken from node_modules/.bin: lib modules need its react-server condition. */
export function npmScript(name: string) {
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  const [bin, ...args] = scripts[name].split(" ");
  return { file: path.join(ROOT, "node_modules/.bin", bin), args };
}
