// Stops `npm run quickstart` at once, with one line, when Node is older than package.json's engines.node asks,
// instead of a page of EBADENGINE warnings and an unrelated failure later on.
// Plain JavaScript without recent syntax (no `?.` or `??`) on purpose: it must run on the old Node it complains about.
// Usage: node scripts/check-node.mjs [version]   (defaults to the running Node's version; tests pass one)
import fs from "fs";

const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const major = (version) => Number((/\d+/.exec(version) || ["0"])[0]);
const needed = major((pkg.engines && pkg.engines.node) || "");
const found = process.argv[2] || process.version;

if (major(found) < needed) {
  console.error(
    `Finance Email Setup needs Node.js ${needed} or later (found ${found}). See "Requirements" in README.md.`,
  );
  process.exit(1);
}
