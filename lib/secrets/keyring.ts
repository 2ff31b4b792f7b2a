// The keyring that encrypts stored secrets, built from the environment: the current key first, then
// SETTINGS_ENCRYPTION_KEYS_OLD (still readable during a rotation). In the embedded default the keys live in
// data/secrets.json; when `npm run keys:rotate` rewrites that file, running servers use it from their next encryption
// or decryption, in web requests and scheduled checks alike.
import "server-only";
import fs from "node:fs";
import { createKeyring, keyFromBase64, type Keyring } from "./crypto";
import { env, reloadEnv, secretsFilePath, type Env } from "../env";

function keyringFromEnv(e: Env): Keyring {
  return createKeyring([e.SETTINGS_ENCRYPTION_KEY, ...e.previousEncryptionKeys].map(keyFromBase64));
}

let cached: { keyring: Keyring; fileStamp: string } | undefined;

function secretsFileStamp(e: Env): string {
  if (!e.embedded) return "";
  try {
    const stat = fs.statSync(secretsFilePath(e.dataDir));
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return "";
  }
}

/** The keys as they are now: read again when secrets.json has changed since the last call. */
function currentKeyring(): Keyring {
  let e = env();
  const stamp = secretsFileStamp(e);
  if (cached && cached.fileStamp === stamp) return cached.keyring;
  if (cached) e = reloadEnv();
  cached = { keyring: keyringFromEnv(e), fileStamp: stamp };
  return cached.keyring;
}

// Each operation asks for the keys at that moment, not when the keyring was handed out: a scheduled check or a token
// refresh that started before a rotation still encrypts under the new key and reads rows already moved to it.
const following: Keyring = {
  get currentKeyId() {
    return currentKeyring().currentKeyId;
  },
  encrypt: (plaintext, aad) => currentKeyring().encrypt(plaintext, aad),
  decrypt: (token, aad) => currentKeyring().decrypt(token, aad),
  needsRotation: (token) => currentKeyring().needsRotation(token),
};

/** The settings keyring, for web requests and the scheduled checks and alerts alike. */
export function settingsKeyring(): Keyring {
  return following;
}
