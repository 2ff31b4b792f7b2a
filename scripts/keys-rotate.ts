// Re-encrypts every stored secret (SMTP passwords, linked mailboxes' tokens, webhooks, sign-ins in flight:
// lib/secrets/stored-secrets.ts) under a new key without downtime: the old key stays
// readable until every row has moved. npm run keys:rotate
// Embedded default (no SETTINGS_ENCRYPTION_KEY in the environment): generates the new key into data/secrets.json,
// which running servers reload. With SETTINGS_ENCRYPTION_KEY set: moves rows to that key, read with SETTINGS_ENCRYPTION_KEYS_OLD.
// Start it with npm run: the lib modules import "server-only", which loads only under the react-server condition the npm script passes to Node.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  createKeyring,
  keyFromBase64,
  keyIdOf,
  SecretDecryptError,
  tokenKeyId,
  type Keyring,
} from "../lib/secrets/crypto";
import { countNotUnder, rotateStoredSecrets, storedSecrets } from "../lib/secrets/stored-secrets";
import { EnvError, loadEnv, secretsFilePath } from "../lib/env";
import { createPrismaClient, type Db } from "../lib/prisma";

const PREFIX = "keys:rotate";
/** Saves already under way in a server that still had the old keyring can land after a pass: try a few times. */
const PASSES = 5;
const PASS_PAUSE_MS = 500;
/** Passes after the old keys are dropped, for a write that was already under way. */
const SWEEPS = 2;

class RotateError extends Error {}

const unique = (keys: string[]) => [...new Set(keys)];
const keyIdIn = (token: string) => tokenKeyId(token) ?? "unknown";

/** Fails before anything changes when a stored secret cannot be read with any known key. Never prints a secret. */
async function assertAllReadable(db: Db, keyring: Keyring) {
  const problems: string[] = [];
  for (const secret of await storedSecrets(db)) {
    try {
      keyring.decrypt(secret.ciphertext, secret.aad);
    } catch (err) {
      if (!(err instanceof SecretDecryptError)) throw err;
      const what =
        err.reason === "unknown-key"
          ? `encrypted with unknown key id ${keyIdIn(secret.ciphertext)}`
          : err.reason === "format"
            ? "not in a readable format"
            : `failed its integrity check (key id ${keyIdIn(secret.ciphertext)})`;
      problems.push(`"${secret.orgName}" (${secret.orgId}), ${secret.kind}: ${what}`);
    }
  }
  if (problems.length > 0) {
    throw new RotateError(
      `${problems.length} stored secret${problems.length === 1 ? "" : "s"} cannot be read with the known keys: ${problems.join("; ")}. ` +
        "Add the missing key to SETTINGS_ENCRYPTION_KEYS_OLD, or re-enter that organisation's SMTP password (or reconnect its mailbox). Nothing was changed.",
    );
  }
}

async function rotateUntilDone(db: Db, keyring: Keyring) {
  let rotated = 0;
  let total = 0;
  let left = 0;
  for (let pass = 1; pass <= PASSES; pass++) {
    const result = await rotateStoredSecrets(db, keyring);
    rotated += result.rotated;
    total = result.total;
    // Counted after a pause, not at once: a save by an instance still on the old key lands in that time.
    await new Promise((r) => setTimeout(r, PASS_PAUSE_MS));
    left = await countNotUnder(db, keyring.currentKeyId);
    if (left === 0) break;
  }
  return { rotated, total, left };
}

/** After the old keys are dropped: a few more passes, each after a pause, then a last count. */
async function sweepLateWrites(db: Db, keyring: Keyring) {
  let rotated = 0;
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    await new Promise((r) => setTimeout(r, PASS_PAUSE_MS));
    rotated += (await rotateStoredSecrets(db, keyring)).rotated;
  }
  return { rotated, left: await countNotUnder(db, keyring.currentKeyId) };
}

type SecretsFile = Record<string, unknown> & {
  SETTINGS_ENCRYPTION_KEY?: string;
  SETTINGS_ENCRYPTION_KEYS_OLD?: unknown;
};

/** Temp file + rename, so a server reloading the file never sees half of it. */
function writeSecretsFile(file: string, contents: SecretsFile) {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`,
  );
  const fd = fs.openSync(temp, "wx", 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(contents, null, 2) + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.chmodSync(temp, 0o600);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

function summary(rotated: number, total: number, keyId: string) {
  return `Re-encrypted ${rotated} of ${total} stored secret${total === 1 ? "" : "s"} under key ${keyId}.\n`;
}

async function rotateEmbedded(db: Db, dataDir: string, envOldKeys: string[]) {
  const file = secretsFilePath(dataDir);
  const contents = JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  const currentKey = contents.SETTINGS_ENCRYPTION_KEY;
  if (typeof currentKey !== "string") throw new RotateError(`${file} has no SETTINGS_ENCRYPTION_KEY.`);
  const fileOld = Array.isArray(contents.SETTINGS_ENCRYPTION_KEYS_OLD)
    ? contents.SETTINGS_ENCRYPTION_KEYS_OLD.filter((k): k is string => typeof k === "string")
    : [];

  await assertAllReadable(db, createKeyring(unique([currentKey, ...fileOld, ...envOldKeys]).map(keyFromBase64)));

  const newKey = crypto.randomBytes(32);
  const newKeyB64 = newKey.toString("base64");
  const keyId = keyIdOf(newKey);
  const readable = unique([currentKey, ...fileOld]);
  // Running servers reload the file and can then read both while the rows move.
  writeSecretsFile(file, { ...contents, SETTINGS_ENCRYPTION_KEY: newKeyB64, SETTINGS_ENCRYPTION_KEYS_OLD: readable });

  const keyring = createKeyring(unique([newKeyB64, ...readable, ...envOldKeys]).map(keyFromBase64));
  const { rotated, total, left } = await rotateUntilDone(db, keyring);
  if (left > 0) {
    throw new RotateError(
      `${left} stored secret${left === 1 ? " is" : "s are"} still under an older key, so the old keys stay in ${file}. Run npm run keys:rotate again.`,
    );
  }
  const { SETTINGS_ENCRYPTION_KEYS_OLD: _done, ...rest } = contents;
  writeSecretsFile(file, { ...rest, SETTINGS_ENCRYPTION_KEY: newKeyB64 });
  // A save or token refresh encrypted just before the first write can still land now, under a key servers no longer
  // have: this process still holds it, so it moves such rows too, and puts the old keys back if any stays.
  const late = await sweepLateWrites(db, keyring);
  if (late.left > 0) {
    writeSecretsFile(file, { ...rest, SETTINGS_ENCRYPTION_KEY: newKeyB64, SETTINGS_ENCRYPTION_KEYS_OLD: readable });
    throw new RotateError(
      `${late.left} stored secret${late.left === 1 ? " was" : "s were"} saved under an older key while it was being dropped, so the old keys are back in ${file}. Run npm run keys:rotate again.`,
    );
  }
  process.stdout.write(summary(rotated + late.rotated, total, keyId));
}

async function rotateFromEnv(db: Db, currentKey: string, oldKeys: string[]) {
  const keyring = createKeyring(unique([currentKey, ...oldKeys]).map(keyFromBase64));
  await assertAllReadable(db, keyring);
  // Counted again after each pass: an instance still running with the old key can save under it meanwhile.
  const { rotated, total, left } = await rotateUntilDone(db, keyring);
  if (left > 0) {
    throw new RotateError(
      `${left} stored secret${left === 1 ? " is" : "s are"} still under an older key after ${PASSES} passes: an instance still running ` +
        "with the old SETTINGS_ENCRYPTION_KEY is saving under it. Keep SETTINGS_ENCRYPTION_KEYS_OLD, restart every instance with the new key, then run npm run keys:rotate again.",
    );
  }
  process.stdout.write(summary(rotated, total, keyring.currentKeyId));
  process.stdout.write(
    "SETTINGS_ENCRYPTION_KEYS_OLD can be removed once every instance runs with the new SETTINGS_ENCRYPTION_KEY.\n",
  );
}

async function main(): Promise<number> {
  let db: Db | undefined;
  try {
    const env = loadEnv();
    db = createPrismaClient(env.database);
    // Only a key passed in the environment is managed by the operator; otherwise it lives in secrets.json.
    if (env.encryptionKeySource === "environment") {
      await rotateFromEnv(db, env.SETTINGS_ENCRYPTION_KEY, env.previousEncryptionKeys);
    } else {
      await rotateEmbedded(db, env.dataDir, env.previousEncryptionKeys);
    }
    return 0;
  } catch (err) {
    if (err instanceof RotateError || err instanceof EnvError || err instanceof SecretDecryptError) {
      process.stderr.write(`${PREFIX}: ${err.message}\n`);
    } else if ((err as { code?: string }).code === "P2021") {
      process.stderr.write(`${PREFIX}: the database has no tables yet. Run "npm run db:migrate" first.\n`);
    } else {
      // Prisma's messages quote source code over several lines; the last line says what went wrong.
      const lines = String((err as Error)?.message ?? err)
        .split("\n")
        .filter((l) => l.trim() !== "");
      process.stderr.write(`${PREFIX} failed: ${lines[lines.length - 1] ?? "unknown error"}\n`);
    }
    return 1;
  } finally {
    await db?.$disconnect();
  }
}

// main() turns every failure into a message and an exit code.
void main().then((code) => process.exit(code));
