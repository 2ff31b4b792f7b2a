// The keyring that encrypts stored SMTP passwords, built from the environment: the current key first,
// then SETTINGS_ENCRYPTION_KEYS_OLD (still readable during a rotation). In the embedded default the keys
// live in data/secrets.json; when `npm run keys:rotate` rewrites that file, running servers pick it up.
import "server-only";
import fs from "node:fs";
import { createKeyring, keyFromBase64, type Keyring } from "./crypto";
import { env, reloadEnv, secretsFilePath, type Env } from "../env";

export function keyringFromEnv(e: Env): Keyring {
  return createKeyring([e.SETTINGS_ENCRYPTION_KEY, ...e.previousEncryptionKeys].map(keyFromBase64));
}

let cached: { keyring: Keyring; fileStamp: number } | undefined;

function secretsFileStamp(e: Env): number {
  if (!e.embedded) return 0;
  try {
    return fs.statSync(secretsFilePath(e.dataDir)).mtimeMs;
  } catch {
    return 0;
  }
}

export function settingsKeyring(): Keyring {
  let e = env();
  const stamp = secretsFileStamp(e);
  if (cached && cached.fileStamp === stamp) return cached.keyring;
  if (cached) e = reloadEnv();
  cached = { keyring: keyringFromEnv(e), fileStamp: stamp };
  return cached.keyring;
}
