import { describe, expect, it } from "vitest";
import { databaseDependentFiles, suiteOutcome } from "../../scripts/test-suites.mjs";
import { ROOT } from "../helpers/database";

type Counts = { passed: number; failed: number; skipped: number };
const counts = (r: Counts) => r;

describe("the test runner's counting", () => {
  it("a suite that wrote no report, or ran no test, is a failure, never 0 passed, 0 failed", () => {
    expect(suiteOutcome(1, undefined, counts)).toMatchObject({
      passed: 0,
      failed: 1,
      problem: "no report was written",
    });
    expect(suiteOutcome(0, undefined, counts)).toMatchObject({ failed: 1 });
    expect(suiteOutcome(0, { passed: 0, failed: 0, skipped: 3 }, counts)).toMatchObject({
      failed: 1,
      problem: "no test ran",
    });
  });

  it("a report's counts stand, and a non-zero exit with no failed test still fails", () => {
    expect(suiteOutcome(0, { passed: 12, failed: 0, skipped: 0 }, counts)).toEqual({
      passed: 12,
      failed: 0,
      skipped: 0,
      problem: null,
    });
    expect(suiteOutcome(1, { passed: 12, failed: 2, skipped: 0 }, counts)).toMatchObject({ failed: 2 });
    expect(suiteOutcome(1, { passed: 12, failed: 0, skipped: 0 }, counts)).toMatchObject({ failed: 1 });
  });

  it("a check without a report (lint) is one check", () => {
    expect(suiteOutcome(0, undefined, undefined)).toMatchObject({ passed: 1, failed: 0 });
    expect(suiteOutcome(2, undefined, undefined)).toMatchObject({ passed: 0, failed: 1 });
  });
});

describe("which integration files run again on PostgreSQL", () => {
  const files = databaseDependentFiles(ROOT);

  it("those that create their database through the helpers that honour TEST_DATABASE", () => {
    expect(files).toContain("tests/integration/watch.test.ts");
    expect(files).toContain("tests/integration/email-settings.test.ts");
    expect(files).toContain("tests/integration/migrations.test.ts");
  });

  it("not those without a database, or always on PostgreSQL: they behave the same on either run", () => {
    for (const once of [
      "tests/integration/test-send.test.ts",
      "tests/integration/dns-test-server.test.ts",
      "tests/integration/smtp-test-server.test.ts",
      "tests/integration/host-slots.test.ts",
    ]) {
      expect(files).not.toContain(once);
    }
  });
});
