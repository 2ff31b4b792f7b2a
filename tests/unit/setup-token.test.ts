import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnv } from "@/lib/env";
import { expectedSetupToken, setupTokenMatches, setupTokenRequired } from "@/lib/setup-token";

const secretA = "a".repeat(43);
const secretB = "b".repeat(43);

describe("the first run's setup token", () => {
  const hosted = { isProduction: true, embedded: false };
  const embedded = { isProduction: true, embedded: true };
  const development = { isProduction: false, embedded: true };

  it("is required in production with real configuration, from any client address", () => {
    for (const address of ["203.0.113.7", "127.0.0.1", "::1", null])
      expect(setupTokenRequired(hosted, address)).toBe(true);
  });

  it("the embedded default and development ask every client but this machine itself (a loopback address)", () => {
    for (const config of [embedded, development]) {
      for (const address of ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
        expect(setupTokenRequired(config, address), address).toBe(false);
      // A container's published port: the client arrives from the bridge's address, not loopback.
      for (const address of ["172.17.0.1", "192.168.1.20", "203.0.113.7", "2001:db8::1", "::ffff:10.0.0.5", null])
        expect(setupTokenRequired(config, address), String(address)).toBe(true);
    }
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
