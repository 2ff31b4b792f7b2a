import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { createKeyring, keyFromBase64, keyIdOf, SecretDecryptError } from "@/lib/secrets/crypto";

const newKey = () => crypto.randomBytes(32);
const ORG = "org_123";

/** Runs fn and returns the SecretDecryptError it throws. */
function decryptError(fn: () => unknown): SecretDecryptError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretDecryptError);
    return err as SecretDecryptError;
  }
  throw new Error("expected a SecretDecryptError");
}

/** Flips one bit of one byte in a base64url token part. */
function flipByte(token: string, partIndex: number, byteIndex = 0): string {
  const parts = token.split(".");
  const bytes = Buffer.from(parts[partIndex], "base64url");
  bytes[byteIndex] ^= 0x01;
  parts[partIndex] = bytes.toString("base64url");
  return parts.join(".");
}

describe("keyFromBase64", () => {
  it("decodes a 32-byte key", () => {
    const key = newKey();
    expect(keyFromBase64(key.toString("base64")).equals(key)).toBe(true);
  });
  it.each([
    ["16 bytes", crypto.randomBytes(16).toString("base64")],
    ["33 bytes", crypto.randomBytes(33).toString("base64")],
    ["not base64", "this is not base64!"],
    ["empty", ""],
  ])("refuses %s", (_label, value) => {
    expect(() => keyFromBase64(value)).toThrow(/32 bytes|base64/);
  });
  it("does not echo the key in its error", () => {
    const short = crypto.randomBytes(16).toString("base64");
    expect(() => keyFromBase64(short)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(short) as unknown }),
    );
  });
});

describe("createKeyring", () => {
  it("refuses an empty keyring or a key of the wrong size", () => {
    expect(() => createKeyring([])).toThrow();
    expect(() => createKeyring([crypto.randomBytes(16)])).toThrow(/32 bytes/);
  });

  it("names the current key by the first 8 hex characters of its sha256", () => {
    const key = newKey();
    const id = crypto.createHash("sha256").update(key).digest("hex").slice(0, 8);
    expect(createKeyring([key]).currentKeyId).toBe(id);
    expect(keyIdOf(key)).toBe(id);
  });
});

describe("encrypt / decrypt", () => {
  const key = newKey();
  const ring = createKeyring([key]);

  it("round-trips, including unicode and the empty string", () => {
    for (const secret of ["abcdefghijklmnop", "pässwörd ✓ with spaces", "", "x".repeat(1024)]) {
      expect(ring.decrypt(ring.encrypt(secret, ORG), ORG)).toBe(secret);
    }
    expect(ring.decrypt(ring.encrypt("no aad"))).toBe("no aad");
  });

  it("produces v1.<keyId>.<iv>.<tag>.<ciphertext> without the plaintext", () => {
    const token = ring.encrypt("hunter2hunter2", ORG);
    const [version, keyId, iv, tag, ciphertext] = token.split(".");
    expect(token.split(".")).toHaveLength(5);
    expect(version).toBe("v1");
    expect(keyId).toBe(ring.currentKeyId);
    expect(Buffer.from(iv, "base64url")).toHaveLength(12);
    expect(Buffer.from(tag, "base64url")).toHaveLength(16);
    expect(Buffer.from(ciphertext, "base64url")).toHaveLength("hunter2hunter2".length);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(token).not.toContain("hunter2");
    expect(Buffer.from(ciphertext, "base64url").toString("utf8")).not.toBe("hunter2hunter2");
  });

  it("uses a fresh IV every time", () => {
    const tokens = Array.from({ length: 20 }, () => ring.encrypt("same secret", ORG));
    const ivs = tokens.map((t) => t.split(".")[2]);
    expect(new Set(ivs).size).toBe(tokens.length);
    expect(new Set(tokens.map((t) => t.split(".")[4])).size).toBe(tokens.length);
  });

  it.each([
    ["ciphertext", 4],
    ["auth tag", 3],
    ["IV", 2],
  ])("refuses a token with a flipped %s byte, with the integrity message", (_label, part) => {
    const token = ring.encrypt("abcdefghijklmnop", ORG);
    const err = decryptError(() => ring.decrypt(flipByte(token, part), ORG));
    expect(err.message).toMatch(/^The stored secret failed its integrity check/);
    expect(err.reason).toBe("integrity");
  });

  it("refuses a token whose text was edited in a way base64 decoding would forgive", () => {
    const token = ring.encrypt("abcdefghijklmnop", ORG);
    const last = token.at(-1)!;
    const edited = token.slice(0, -1) + (last === "A" ? "B" : "A");
    expect(decryptError(() => ring.decrypt(edited, ORG)).reason).toBe("integrity");
    expect(decryptError(() => ring.decrypt(token + "=", ORG)).reason).toBe("integrity");
  });

  it("refuses the right token with the wrong AAD (another organisation's row)", () => {
    const token = ring.encrypt("abcdefghijklmnop", ORG);
    expect(decryptError(() => ring.decrypt(token, "org_456")).reason).toBe("integrity");
    expect(decryptError(() => ring.decrypt(token)).reason).toBe("integrity");
    expect(decryptError(() => ring.decrypt(ring.encrypt("x"), ORG)).reason).toBe("integrity");
  });

  it("authenticates the key id in the header", () => {
    const other = newKey();
    const both = createKeyring([key, other]);
    const token = both.encrypt("abcdefghijklmnop", ORG);
    const parts = token.split(".");
    parts[1] = keyIdOf(other);
    expect(decryptError(() => both.decrypt(parts.join("."), ORG)).reason).toBe("integrity");
  });

  it.each(["", "garbage", "v2.00000000.a.b.c", "v1.XYZ.a.b.c", "v1.abcdef12.a.b", "v1.abcdef12.a.b.c.d"])(
    "refuses malformed token %j as unreadable",
    (token) => {
      const err = decryptError(() => ring.decrypt(token, ORG));
      expect(err.reason).toBe("format");
      expect(err.message).toMatch(/Re-enter the password/);
    },
  );

  it("explains an unknown key id without revealing anything secret", () => {
    const token = createKeyring([newKey()]).encrypt("abcdefghijklmnop", ORG);
    const keyId = token.split(".")[1];
    const err = decryptError(() => ring.decrypt(token, ORG));
    expect(err.reason).toBe("unknown-key");
    expect(err.message).toBe(
      `This secret was encrypted with a key this server does not have (key id ${keyId}). Set SETTINGS_ENCRYPTION_KEY to that key, or re-enter the password.`,
    );
    expect(err.message).not.toContain("abcdefghijklmnop");
  });
});

describe("key rotation", () => {
  const oldKey = newKey();
  const newer = newKey();
  const oldRing = createKeyring([oldKey]);
  const rotated = createKeyring([newer, oldKey]);

  it("reads tokens made with a previous key", () => {
    const oldToken = oldRing.encrypt("abcdefghijklmnop", ORG);
    expect(rotated.decrypt(oldToken, ORG)).toBe("abcdefghijklmnop");
  });

  it("flags only tokens not made with the current key", () => {
    const oldToken = oldRing.encrypt("abcdefghijklmnop", ORG);
    expect(rotated.needsRotation(oldToken)).toBe(true);
    expect(oldRing.needsRotation(oldToken)).toBe(false);
    expect(rotated.needsRotation(rotated.encrypt("x", ORG))).toBe(false);
    expect(rotated.needsRotation("garbage")).toBe(true);
  });

  it("re-encrypts under the new key id, which the old keyring cannot read", () => {
    const oldToken = oldRing.encrypt("abcdefghijklmnop", ORG);
    const fresh = rotated.encrypt(rotated.decrypt(oldToken, ORG), ORG);
    expect(fresh.split(".")[1]).toBe(rotated.currentKeyId);
    expect(rotated.currentKeyId).toBe(keyIdOf(newer));
    expect(rotated.currentKeyId).not.toBe(oldRing.currentKeyId);
    expect(rotated.decrypt(fresh, ORG)).toBe("abcdefghijklmnop");
    expect(decryptError(() => oldRing.decrypt(fresh, ORG)).reason).toBe("unknown-key");
  });
});
