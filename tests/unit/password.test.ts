import { describe, expect, it } from "vitest";
import { generateTemporaryPassword, hashPassword, verifyAgainstDummy, verifyPassword } from "@/lib/password";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("a long enough passphrase");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain("a long enough passphrase");
    expect(await verifyPassword("a long enough passphrase", hash)).toBe(true);
    expect(await verifyPassword("a long enough passphrasE", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts each hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same password here"), hashPassword("same password here")]);
    expect(a).not.toBe(b);
  });

  it("treats NFKC-equivalent spellings as the same password", async () => {
    const hash = await hashPassword("caf\u00e9 au lait please");
    expect(await verifyPassword("cafe\u0301 au lait please", hash)).toBe(true);
  });

  it("refuses a stored value that is not an scrypt hash", async () => {
    expect(await verifyPassword("anything", "")).toBe(false);
    expect(await verifyPassword("anything", "bcrypt$2b$10$abc")).toBe(false);
    expect(await verifyPassword("anything", "plain-text-password")).toBe(false);
  });

  it("dummy verification always answers false, even for its own password", async () => {
    expect(await verifyAgainstDummy("whatever")).toBe(false);
    expect(await verifyAgainstDummy("not-a-real-account-password")).toBe(false);
  });
});

describe("temporary passwords", () => {
  it("are four groups of five unambiguous characters, different each time", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generateTemporaryPassword();
      expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{5}(-[a-km-zA-HJ-NP-Z2-9]{5}){3}$/);
      expect(p).not.toMatch(/[01lIoO]/);
      seen.add(p);
    }
    expect(seen.size).toBe(50);
  });
});
