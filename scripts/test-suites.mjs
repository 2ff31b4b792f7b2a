// What the test runner decides, apart from running things: which integration files depend on the database they run
// on (the rest behave the same on either, so they run once), and how one suite's outcome is counted.
import fs from "node:fs";
import path from "node:path";

/** A file depends on the database choice when it creates its database through the helpers that honour TEST_DATABASE. */
const USES_CHOSEN_DATABASE = /\b(createTestDatabase|useTestDatabase|TEST_PROVIDER)\b/;

/** The integration test files to run again on PostgreSQL, relative to root, sorted. */
export function databaseDependentFiles(root, dir = "tests/integration") {
  return fs
    .readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(".test.ts"))
    .filter((f) => USES_CHOSEN_DATABASE.test(fs.readFileSync(path.join(root, dir, f), "utf8")))
    .map((f) => `${dir}/${f}`)
    .sort();
}

/**
 * One suite's counts from its exit status and its report (undefined when there is none). A suite that failed to
 * run, left no report, or ran no test at all counts as a failure: silence is never a pass.
 */
export function suiteOutcome(status, report, count) {
  if (count === undefined)
    return { passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0, problem: null };
  if (report === undefined) return { passed: 0, failed: 1, skipped: 0, problem: "no report was written" };
  const summary = count(report);
  if (summary.passed + summary.failed === 0) return { ...summary, failed: 1, problem: "no test ran" };
  if (status !== 0 && summary.failed === 0) return { ...summary, failed: 1, problem: `exited with status ${status}` };
  return { ...summary, problem: null };
}
