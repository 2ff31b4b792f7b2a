#!/usr/bin/env node
// The whole test suite: ESLint (so CI fails on a lint error), vitest (unit + integration), then Playwright (browser,
// against a production build). Ends with one plain line summing every suite: "N passed, N failed"; lint counts
// as one check. `unit` and `e2e` run one half and skip lint.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databaseDependentFiles, suiteOutcome } from "./test-suites.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const results = path.join(root, "test-results");
fs.mkdirSync(results, { recursive: true });
const env = {
  ...process.env,
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};

// Without a resultFile the suite is one check: passed when it exits 0.
function run(label, args, resultFile, count, extraEnv = {}) {
  if (resultFile) fs.rmSync(resultFile, { force: true });
  console.log(`\n=== ${label} ===`);
  const status = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: "inherit",
  }).status;
  let report;
  try {
    report = resultFile ? JSON.parse(fs.readFileSync(resultFile, "utf8")) : undefined;
  } catch {
    // no report at all: the runner itself failed (suiteOutcome counts it)
  }
  const summary = suiteOutcome(status, report, resultFile ? count : undefined);
  console.log(
    `${label}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${summary.problem ? ` (${summary.problem})` : ""}`,
  );
  return summary;
}

const only = process.argv[2]; // optional: "unit" or "e2e"
const suites = [];
const vitestCount = (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests,
  skipped: r.numPendingTests + r.numTodoTests,
});
if (!only) {
  // The same command as `npm run lint`.
  suites.push(
    run("lint (eslint)", [
      "node_modules/eslint/bin/eslint.js",
      "--cache",
      "--cache-location",
      "node_modules/.cache/eslint",
      "--concurrency",
      "auto",
      ".",
    ]),
  );
}
if (only !== "e2e") {
  const file = path.join(results, "vitest-results.json");
  suites.push(
    run(
      "unit + integration on SQLite (vitest)",
      ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`],
      file,
      vitestCount,
    ),
  );
  // The integration files that depend on the database again, on PostgreSQL (each creates and drops its own
  // database); the others (test servers, DNS, PostgreSQL-only files) behave the same either way and ran above.
  const pgFile = path.join(results, "vitest-postgres-results.json");
  suites.push(
    run(
      "integration on PostgreSQL (vitest)",
      [
        "node_modules/vitest/vitest.mjs",
        "run",
        ...databaseDependentFiles(root),
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${pgFile}`,
      ],
      pgFile,
      vitestCount,
      { TEST_DATABASE: "postgresql" },
    ),
  );
}
if (only !== "unit") {
  const file = path.join(results, "e2e-results.json");
  suites.push(
    run("browser (playwright)", ["node_modules/@playwright/test/cli.js", "test"], file, (r) => ({
      passed: r.stats.expected + r.stats.flaky,
      failed: r.stats.unexpected,
      skipped: r.stats.skipped,
    })),
  );
}

const total = suites.reduce(
  (a, s) => ({ passed: a.passed + s.passed, failed: a.failed + s.failed, skipped: a.skipped + s.skipped }),
  {
    passed: 0,
    failed: 0,
    skipped: 0,
  },
);
console.log("");
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed > 0 ? 1 : 0);
