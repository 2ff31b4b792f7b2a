import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnv } from "@/lib/env";
import { expectedSetupToken, setupTokenMatches, setupTokenRequired } from "@/lib/setup-token";

const secretA = "a".repeat(43);
const secretB = "b".repeat(43);

describe("the hosted first run's setup token", () => {
  it("is required in production with real configuration, not for the embedded default or in development", () => {
    expect(setupTokenRequired({ isProduction: true, embedded: false })).toBe(true);
    expect(setupTokenRequired({ isProduction: true, embedded: true })).toBe(false);
    expect(setupTokenRequired({ isProduction: false, embedded: true })).toBe(false);
  });

  it("is the same for every instance of a deployment (from AUTH_SECRET), different between deployments, or SETUP_TOKEN", () => {
    const a = expectedSetupToken({ AUTH_SECRET: secretA, setupToken: undefined });
    expect(a).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
    expect(expectedSetupToken({ AUTH_SECRET: secretA, setupToken: undefined })).toBe(a);
    expect(expectedSetupToken({ AUTH_SECRET: secretB, setupToken: undefined })).not.toBe(a);
    expect(expectedSetupToken({ AUTH_SECRET: secretA, setupToken: "operator-chosen-token-1" })).toBe(
      "operator-chosen-token-1",
    );
  });

  it("matches as typed (spaces and case do not matter), and never when blank or wrong", () => {
    const token = expectedSetupToken({ AUTH_SECRET: secretA, setupToken: undefined });
    expect(setupTokenMatches(token, token)).toBe(true);
    expect(setupTokenMatches(` ${token.toUpperCase()} `, token)).toBe(true);
    expect(setupTokenMatches("", token)).toBe(false);
    expect(setupTokenMatches(undefined, token)).toBe(false);
    expect(setupTokenMatches(token.slice(0, -1) + (token.endsWith("0") ? "1" : "0"), token)).toBe(false);
  });

  it("a SETUP_TOKEN too short to be safe stops start-up, naming it", () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "fes-env-"));
    expect(() => loadEnv({ SETUP_TOKEN: "short" } as unknown as NodeJS.ProcessEnv, cwd)).toThrow(
      /SETUP_TOKEN must be 16 to 200 characters/,
    );
  });
});
