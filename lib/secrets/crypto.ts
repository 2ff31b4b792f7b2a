// Encryption of secrets at rest (the SMTP password): AES-256-GCM, one token string per secret, keys identified by id
// so a keyring of [current, ...previous] keys can read old tokens while every new one uses the current key.
import "server-only";
import crypto from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class SecretDecryptError extends Error {
  constructor(
    message: string,
    public readonly reason: "format" | "unknown-key" | "integrity",
  ) {
    super(message);
    this.name = "SecretDecryptError";
  }
}

export type Keyring = {
  /** "v1.<keyId>.<iv>.<tag>.<ciphertext>" (base64url parts). aad binds the token to its row, e.g. the organisation id. */
  encrypt(plaintext: string, aad?: string): string;
  /** Throws SecretDecryptError, never returns garbage. */
  decrypt(token: string, aad?: string): string;
  readonly currentKeyId: string;
  /** True when the token was not made with the current key (or cannot be read), so it should be re-encrypted. */
  needsRotation(token: string): boolean;
};

/** First 8 hex characters of sha256(key): names a key in tokens without revealing it. */
export function keyIdOf(key: Buffer): string {
  return crypto.createHash("sha256").update(key).digest("hex").slice(0, 8);
}

/** The id of the key a token was encrypted with, or null when it is not a token. Never decrypts. */
export function tokenKeyId(token: string): string | null {
  return /^v1\.([0-9a-f]{8})\./.exec(token)?.[1] ?? null;
}

/** Decodes a base64 key (as in SETTINGS_ENCRYPTION_KEY) and checks it is 32 bytes. The message never echoes the key. */
export function keyFromBase64(b64: string): Buffer {
  const value = typeof b64 === "string" ? b64.trim() : "";
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    throw new Error("The encryption key must be base64-encoded (generate one with: openssl rand -base64 32).");
  }
  const key = Buffer.from(value, "base64");
  if (key.length !== KEY_BYTES) {
    throw new Error(`The encryption key must be ${KEY_BYTES} bytes, base64-encoded; this one is ${key.length} bytes.`);
  }
  return key;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64url: any change to the text must change the bytes, so no edit slips past the integrity check. */
function decodePart(part: string): Buffer | null {
  if (!B64URL.test(part)) return null;
  const bytes = Buffer.from(part, "base64url");
  return bytes.toString("base64url") === part ? bytes : null;
}

const FORMAT_MESSAGE = "The stored secret is not in a format this server can read. Re-enter the password.";
const INTEGRITY_MESSAGE =
  "The stored secret failed its integrity check: it was altered, or it belongs to another record. Re-enter the password.";

type ParsedToken = { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer };

function parseToken(token: string): ParsedToken {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 5 || parts[0] !== VERSION || !/^[0-9a-f]{8}$/.test(parts[1])) {
    throw new SecretDecryptError(FORMAT_MESSAGE, "format");
  }
  const [iv, tag, ciphertext] = [parts[2], parts[3], parts[4]].map(decodePart);
  if (!iv || !tag || !ciphertext || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretDecryptError(INTEGRITY_MESSAGE, "integrity");
  }
  return { keyId: parts[1], iv, tag, ciphertext };
}

// The version and key id are authenticated too, so a token's header cannot be edited without failing the check.
const additionalData = (keyId: string, aad: string | undefined) =>
  Buffer.from(`${VERSION}.${keyId}\n${aad ?? ""}`, "utf8");

export function createKeyring(keys: readonly Buffer[]): Keyring {
  if (keys.length === 0) throw new Error("A keyring needs at least one key.");
  const byId = new Map<string, Buffer>();
  for (const key of keys) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES)
      throw new Error(`Every encryption key must be ${KEY_BYTES} bytes.`);
    const id = keyIdOf(key);
    const existing = byId.get(id);
    if (existing && !existing.equals(key))
      throw new Error(`Two different keys share the key id ${id}; generate a new key.`);
    byId.set(id, Buffer.from(key));
  }
  const currentKeyId = keyIdOf(keys[0]);
  const currentKey = byId.get(currentKeyId)!;

  return {
    currentKeyId,

    encrypt(plaintext, aad) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv("aes-256-gcm", currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(currentKeyId, aad));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        currentKeyId,
        iv.toString("base64url"),
        tag.toString("base64url"),
        ciphertext.toString("base64url"),
      ].join(".");
    },

    decrypt(token, aad) {
      const { keyId, iv, tag, ciphertext } = parseToken(token);
      const key = byId.get(keyId);
      if (!key) {
        throw new SecretDecryptError(
          `This secret was encrypted with a key this server does not have (key id ${keyId}). Set SETTINGS_ENCRYPTION_KEY to that key, or re-enter the password.`,
          "unknown-key",
        );
      }
      try {
        const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(keyId, aad));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretDecryptError(INTEGRITY_MESSAGE, "integrity");
      }
    },

    needsRotation(token) {
      try {
        return parseToken(token).keyId !== currentKeyId;
      } catch {
        return true;
      }
    },
  };
}
