import { describe, expect, it } from "vitest";
import crypto from "node:crypto";
import {
  generateTemporaryPassword,
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from "@/lib/password";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("a long enough passphrase");
    // argon2id at OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane.
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(needsRehash(hash)).toBe(false);
    expect(hash).not.toContain("a long enough passphrase");
    expect(await verifyPassword("a long enough passphrase", hash)).toBe(true);
    expect(await verifyPassword("a long enough passphrasE", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("still verifies an earlier scrypt hash, and marks it for rehashing", async () => {
    // Made by the previous version of this module (scrypt, N=2^15, r=8, p=1) for "a long enough passphrase".
    const salt = Buffer.from("0123456789abcdef");
    const key = crypto.scryptSync("a long enough passphrase", salt, 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    const old = ["scrypt", 32768, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    expect(await verifyPassword("a long enough passphrase", old)).toBe(true);
    expect(await verifyPassword("another passphrase", old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash("$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g")).toBe(true);
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
    expect(await verifyPassword("anything", "$argon2id$v=19$m=19456,t=2,p=1$bm90LWJhc2U2NA$broken")).toBe(false);
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
