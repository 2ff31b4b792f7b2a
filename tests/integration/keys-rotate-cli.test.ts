import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, ROOT, type TestDatabase } from "../helpers/database";
import { npmScript } from "../helpers/npm-script";
import { createOrg, settingsForm, settingsRow } from "../helpers/factories";
import { createKeyring, keyIdOf, SecretDecryptError, type Keyring } from "@/lib/secrets/crypto";
import { readSavedPassword, saveEmailSettings } from "@/lib/mailbox/settings";
import { mailboxTokenAad, passwordAad } from "@/lib/secrets/bindings";

// Runs the real script as an operator would, against a fresh database file and its own data folder.
let t: TestDatabase;
let dataDir: string;

beforeEach(async () => {
  t = await createTestDatabase("keys-rotate-cli");
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-keys-rotate-data-"));
});
afterEach(async () => {
  await t.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const newKey = () => crypto.randomBytes(32);
const b64 = (key: Buffer) => key.toString("base64");
const secretsFile = () => path.join(dataDir, "secrets.json");

function cliEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["NODE_ENV", "SETTINGS_ENCRYPTION_KEY", "SETTINGS_ENCRYPTION_KEYS_OLD", "AUTH_SECRET", "DATA_DIR"])
    delete env[name];
  return {
    ...env,
    DATABASE_URL: t.url,
    DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    ...vars,
  };
}

function run(vars: Record<string, string>) {
  const command = npmScript("keys:rotate");
  const result = spawnSync(command.file, command.args, {
    cwd: ROOT,
    env: cliEnv(vars),
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking this process, so the test can keep writing while the script runs. */
function runInBackground(
  vars: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = npmScript("keys:rotate");
  const child = spawn(command.file, command.args, { cwd: ROOT, env: cliEnv(vars) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** An organisation with settings saved through the app's own code, the password encrypted with the given keyring. */
async function orgWithPassword(name: string, keyring: Keyring, password: string) {
  const org = await createOrg(t.db, name);
  const input = settingsForm({
    provider: "custom",
    host: "smtp.example.test",
    user: "billing@example.test",
    password,
    fromName: name,
    fromAddress: "billing@example.test",
  });
  await saveEmailSettings(
    { db: t.db, keyring },
    { userId: "u1", email: "admin@example.test", name: "Admin", orgId: org.id },
    input,
  );
  return org.id;
}

const storedRow = (orgId: string) => t.db.emailSettings.findUniqueOrThrow({ where: { orgId } });

async function expectReadableOnlyWith(orgId: string, password: string, key: Buffer, notWith: Buffer[]) {
  expect(await readSavedPassword(t.db, createKeyring([key]), orgId)).toBe(password);
  for (const old of notWith) {
    await expect(readSavedPassword(t.db, createKeyring([old]), orgId)).rejects.toBeInstanceOf(SecretDecryptError);
  }
}

describe("npm run keys:rotate, embedded default (keys in secrets.json)", () => {
  it("moves every stored password to a new key in secrets.json and then drops the old keys", async () => {
    const old = newKey();
    const older = newKey(); // left over from an interrupted rotation
    const authSecret = crypto.randomBytes(32).toString("base64url");
    fs.writeFileSync(
      secretsFile(),
      JSON.stringify({
        AUTH_SECRET: authSecret,
        SETTINGS_ENCRYPTION_KEY: b64(old),
        SETTINGS_ENCRYPTION_KEYS_OLD: [b64(older)],
      }),
      { mode: 0o600 },
    );
    const a = await orgWithPassword("Acme", createKeyring([old]), "acme-smtp-pass-1");
    const b = await orgWithPassword("Globex", createKeyring([older]), "globex-smtp-pass-2");
    const noPassword = await createOrg(t.db, "Initech");
    await settingsRow(t.db, noPassword.id, { host: "smtp.initech.test", user: "x", fromAddress: "x@initech.test" });

    const r = run({});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const written = JSON.parse(fs.readFileSync(secretsFile(), "utf8")) as Record<string, unknown>;
    expect(Object.keys(written).sort()).toEqual(["AUTH_SECRET", "SETTINGS_ENCRYPTION_KEY"]);
    expect(written.AUTH_SECRET).toBe(authSecret);
    const key = Buffer.from(written.SETTINGS_ENCRYPTION_KEY as string, "base64");
    expect(key).toHaveLength(32);
    expect(key.equals(old) || key.equals(older)).toBe(false);
    expect(fs.statSync(secretsFile()).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(["secrets.json"]);

    expect(r.stdout).toBe(`Re-encrypted 2 of 2 stored secrets under key ${keyIdOf(key)}.\n`);
    for (const orgId of [a, b]) expect((await storedRow(orgId)).passwordKeyId).toBe(keyIdOf(key));
    await expectReadableOnlyWith(a, "acme-smtp-pass-1", key, [old, older]);
    await expectReadableOnlyWith(b, "globex-smtp-pass-2", key, [old, older]);
    expect((await storedRow(noPassword.id)).passwordCiphertext).toBeNull();
  });

  it("creates a key for a first run with no secrets.json and no stored passwords", () => {
    const r = run({});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const written = JSON.parse(fs.readFileSync(secretsFile(), "utf8")) as Record<string, string>;
    expect(r.stdout).toBe(
      `Re-encrypted 0 of 0 stored secrets under key ${keyIdOf(Buffer.from(written.SETTINGS_ENCRYPTION_KEY, "base64"))}.\n`,
    );
    expect(written).not.toHaveProperty("SETTINGS_ENCRYPTION_KEYS_OLD");
  });

  it("refuses, changing neither the file nor the rows, when a password was encrypted with an unknown key", async () => {
    const old = newKey();
    const stranger = newKey();
    fs.writeFileSync(
      secretsFile(),
      JSON.stringify({ AUTH_SECRET: "a".repeat(40), SETTINGS_ENCRYPTION_KEY: b64(old) }),
      { mode: 0o600 },
    );
    const fileBefore = fs.readFileSync(secretsFile());
    const known = await orgWithPassword("Acme", createKeyring([old]), "acme-smtp-pass-1");
    const lost = await orgWithPassword("Globex", createKeyring([stranger]), "globex-smtp-pass-2");
    const rowsBefore = [await storedRow(known), await storedRow(lost)];

    const r = run({});
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`unknown key id ${keyIdOf(stranger)}`);
    expect(r.stderr).toContain("Globex");
    expect(r.stderr).not.toContain("globex-smtp-pass-2");
    expect(r.stderr).not.toContain(b64(old));
    expect(fs.readFileSync(secretsFile()).equals(fileBefore)).toBe(true);
    expect([await storedRow(known), await storedRow(lost)]).toEqual(rowsBefore);
  });

  it("moves a token refresh encrypted under the old key that lands just after the old key was dropped", async () => {
    const old = newKey();
    fs.writeFileSync(
      secretsFile(),
      JSON.stringify({ AUTH_SECRET: crypto.randomBytes(32).toString("base64url"), SETTINGS_ENCRYPTION_KEY: b64(old) }),
      { mode: 0o600 },
    );
    const oldKeyring = createKeyring([old]);
    const org = await createOrg(t.db, "Late Refresh");
    const aad = (purpose: "refresh" | "access") => mailboxTokenAad(org.id, purpose);
    await t.db.mailboxLink.create({
      data: {
        orgId: org.id,
        provider: "microsoft",
        email: "finance@late.example",
        subject: "sub-1",
        refreshTokenCiphertext: oldKeyring.encrypt("refresh-1", aad("refresh")),
        accessTokenCiphertext: oldKeyring.encrypt("access-1", aad("access")),
      },
    });
    // A refresh whose tokens were encrypted before the rotation began, saved the moment the old key leaves the file.
    const encrypted = {
      refreshTokenCiphertext: oldKeyring.encrypt("refresh-2", aad("refresh")),
      accessTokenCiphertext: oldKeyring.encrypt("access-2", aad("access")),
    };
    const rotation = runInBackground({});
    let sawOldKeys = false;
    for (;;) {
      const file = JSON.parse(fs.readFileSync(secretsFile(), "utf8")) as Record<string, unknown>;
      if (file.SETTINGS_ENCRYPTION_KEYS_OLD) sawOldKeys = true;
      else if (sawOldKeys) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const saved = await t.db.mailboxLink.updateMany({
      where: { orgId: org.id, tokenVersion: 1 },
      data: { tokenVersion: 2, ...encrypted },
    });
    expect(saved.count).toBe(1);
    const r = await rotation;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const written = JSON.parse(fs.readFileSync(secretsFile(), "utf8")) as Record<string, string>;
    expect(written).not.toHaveProperty("SETTINGS_ENCRYPTION_KEYS_OLD");
    const only = createKeyring([Buffer.from(written.SETTINGS_ENCRYPTION_KEY, "base64")]);
    const link = await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(only.decrypt(link.refreshTokenCiphertext, aad("refresh"))).toBe("refresh-2");
    expect(only.decrypt(link.accessTokenCiphertext!, aad("access"))).toBe("access-2");
  });
});

describe("npm run keys:rotate, keys from the environment", () => {
  const authSecret = crypto.randomBytes(32).toString("base64url");

  it("moves rows from SETTINGS_ENCRYPTION_KEYS_OLD to SETTINGS_ENCRYPTION_KEY without touching secrets.json", async () => {
    const old1 = newKey();
    const old2 = newKey();
    const current = newKey();
    const a = await orgWithPassword("Acme", createKeyring([old1]), "acme-smtp-pass-1");
    const b = await orgWithPassword("Globex", createKeyring([old2]), "globex-smtp-pass-2");
    const c = await orgWithPassword("Initech", createKeyring([current]), "initech-smtp-pass-3");
    const alreadyCurrent = (await storedRow(c)).passwordCiphertext;

    const r = run({
      AUTH_SECRET: authSecret,
      SETTINGS_ENCRYPTION_KEY: b64(current),
      SETTINGS_ENCRYPTION_KEYS_OLD: `${b64(old1)}, ${b64(old2)}`,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`Re-encrypted 2 of 3 stored secrets under key ${keyIdOf(current)}.`);
    expect(lines[1]).toMatch(/SETTINGS_ENCRYPTION_KEYS_OLD can be removed once every instance runs with the new/);

    for (const orgId of [a, b, c]) expect((await storedRow(orgId)).passwordKeyId).toBe(keyIdOf(current));
    expect((await storedRow(c)).passwordCiphertext).toBe(alreadyCurrent);
    await expectReadableOnlyWith(a, "acme-smtp-pass-1", current, [old1]);
    await expectReadableOnlyWith(b, "globex-smtp-pass-2", current, [old2]);
    expect(fs.existsSync(secretsFile())).toBe(false);
  });

  it("counts again after its passes and exits 1 while an instance on the old key keeps saving under it", async () => {
    const old = newKey();
    const current = newKey();
    const orgId = await orgWithPassword("Stale Instance", createKeyring([old]), "stale-smtp-pass-5");
    await orgWithPassword("Moved Along", createKeyring([old]), "moved-smtp-pass-6");
    const oldKeyring = createKeyring([old]);
    let writing = true;
    // An app instance that still runs with the old key, saving this organisation's password again and again.
    const writer = (async () => {
      while (writing) {
        await t.db.emailSettings.update({
          where: { orgId },
          data: {
            passwordCiphertext: oldKeyring.encrypt("stale-smtp-pass-5", passwordAad(orgId)),
            passwordKeyId: oldKeyring.currentKeyId,
          },
        });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const r = await runInBackground({
      AUTH_SECRET: authSecret,
      SETTINGS_ENCRYPTION_KEY: b64(current),
      SETTINGS_ENCRYPTION_KEYS_OLD: b64(old),
    });
    writing = false;
    await writer;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^keys:rotate: 1 stored secret is still under an older key after 5 passes: an instance still running with the old SETTINGS_ENCRYPTION_KEY/,
    );
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain("stale-smtp-pass-5");
  });

  it("exits 1 naming the unknown key id, and leaves that row untouched", async () => {
    const old = newKey();
    const current = newKey();
    const stranger = newKey();
    const known = await orgWithPassword("Acme", createKeyring([old]), "acme-smtp-pass-1");
    const lost = await orgWithPassword("Globex", createKeyring([stranger]), "globex-smtp-pass-2");
    const lostBefore = await storedRow(lost);

    const r = run({
      AUTH_SECRET: authSecret,
      SETTINGS_ENCRYPTION_KEY: b64(current),
      SETTINGS_ENCRYPTION_KEYS_OLD: b64(old),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^keys:rotate: .*unknown key id ${keyIdOf(stranger)}`));
    for (const secret of ["globex-smtp-pass-2", "acme-smtp-pass-1", b64(current), b64(old), b64(stranger)]) {
      expect(r.stderr).not.toContain(secret);
    }
    expect(await storedRow(lost)).toEqual(lostBefore);
    expect(await readSavedPassword(t.db, createKeyring([stranger]), lost)).toBe("globex-smtp-pass-2");
    // Nothing moved: the operator fixes the keyring first, then runs it again.
    expect((await storedRow(known)).passwordKeyId).toBe(keyIdOf(old));
  });
});
