// `npm run keys:rotate` on the embedded default while the scheduler checks 20 accounts: the real script in its own
// process rewrites data/secrets.json and moves every stored secret, while this process runs the scheduler this
// database uses (the in-process loop on SQLite, pg-boss workers on PostgreSQL) with the dependencies `npm start`
// gives it (watchDeps over the configuration), against a real TLS SMTP server. Meanwhile a token refresh that took
// its keyring before the rotation keeps re-encrypting a linked mailbox's tokens. No check may fail, nobody may be
// alerted, and every secret must be readable with the new key alone afterwards.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { reloadEnv } from "@/lib/env";
import {
  mailboxTokenAad,
  oauthVerifierAad,
  passwordAad,
  webhookSecretAad,
  webhookUrlAad,
} from "@/lib/secrets/bindings";
import { createKeyring, keyFromBase64 } from "@/lib/secrets/crypto";
import { settingsKeyring } from "@/lib/secrets/keyring";
import { startLocalScheduler } from "@/lib/watch/local-scheduler";
import { fanOut, startQueueWorker } from "@/lib/watch/queue";
import { watchDeps } from "@/lib/watch/start";
import { setWebhook } from "@/lib/watch/webhook";
import { createTestDatabase, ROOT, TEST_PROVIDER, type TestDatabase } from "../helpers/database";
import { createOrg, person } from "../helpers/factories";
import { npmScript } from "../helpers/npm-script";
import { saveTestAccount, SYSTEM_MAIL_PASSWORD, SYSTEM_MAIL_USER } from "../helpers/watch";
import { startTestDnsServer, type TestDnsServer } from "../../stand-ins/dns-test-server";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { startWebhookReceiver, type WebhookReceiver } from "../../stand-ins/webhook-receiver";

const ACCOUNTS = 20;
const INTERVAL = 60_000; // ACCOUNT_CHECK_INTERVAL_MINUTES=1
const OLD_KEY = crypto.randomBytes(32).toString("base64");

let t: TestDatabase;
let dataDir: string;
let account: TestSmtpServer;
let systemMail: TestSmtpServer;
let hook: WebhookReceiver;
let dns: TestDnsServer;
let scheduler: { runPeriod(now: Date): Promise<void>; stop(): Promise<void> };
let clock = new Date();
const savedEnv = { ...process.env };
const orgIds: string[] = [];
let linkedOrgId: string;
let signInStateHash: string;

const secretsFile = () => path.join(dataDir, "secrets.json");

beforeAll(async () => {
  t = await createTestDatabase("keys-rotate-watch");
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-keys-rotate-watch-"));
  fs.writeFileSync(
    secretsFile(),
    JSON.stringify({ AUTH_SECRET: crypto.randomBytes(32).toString("base64url"), SETTINGS_ENCRYPTION_KEY: OLD_KEY }),
    { mode: 0o600 },
  );
  [account, systemMail, hook, dns] = await Promise.all([
    startTestSmtpServer(),
    startTestSmtpServer({ user: SYSTEM_MAIL_USER, password: SYSTEM_MAIL_PASSWORD }),
    startWebhookReceiver(),
    startTestDnsServer(), // the weekly From-domain check asks it: every name is NXDOMAIN, at once
  ]);
  // This process is the app server: its configuration is the embedded default in dataDir, as `npm start` reads it.
  for (const name of ["NODE_ENV", "SETTINGS_ENCRYPTION_KEY", "SETTINGS_ENCRYPTION_KEYS_OLD", "AUTH_SECRET"])
    delete process.env[name];
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    DATABASE_URL: t.url,
    SMTP_ALLOW_PRIVATE_NETWORKS: "true",
    // The webhook receiver is on this machine, on a port of its own: webhooks have their own switches.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
    WEBHOOK_ALLOWED_PORTS: String(hook.port),
    ACCOUNT_CHECK_INTERVAL_MINUTES: "1",
    DNS_SERVERS: dns.address,
    SYSTEM_MAIL_URL: `smtp://${encodeURIComponent(SYSTEM_MAIL_USER)}:${SYSTEM_MAIL_PASSWORD}@localhost:${systemMail.starttlsPort}`,
    SYSTEM_MAIL_FROM: SYSTEM_MAIL_USER,
  });
  const e = reloadEnv();
  const keyring = settingsKeyring();

  for (let i = 0; i < ACCOUNTS; i++) {
    const org = await createOrg(t.db, `Clinic ${i + 1}`);
    const owner = await person(t.db, org.id, { role: "OWNER", alertEmails: true });
    await saveTestAccount(
      t.db,
      keyring,
      { userId: owner.id, email: owner.email, name: "Owner", orgId: org.id },
      account.starttlsPort,
    );
    await t.db.emailSettings.update({ where: { orgId: org.id }, data: { checkDueAt: null } });
    await setWebhook({ db: t.db, keyring }, org.id, hook.url);
    orgIds.push(org.id);
  }
  // A linked mailbox and a sign-in in flight, both encrypted under the old key.
  linkedOrgId = (await createOrg(t.db, "Linked Clinic")).id;
  await t.db.mailboxLink.create({
    data: {
      orgId: linkedOrgId,
      provider: "microsoft",
      email: "finance@linked.example",
      subject: "sub-1",
      refreshTokenCiphertext: keyring.encrypt("refresh-0", mailboxTokenAad(linkedOrgId, "refresh")),
      accessTokenCiphertext: keyring.encrypt("access-0", mailboxTokenAad(linkedOrgId, "access")),
    },
  });
  signInStateHash = crypto.randomBytes(32).toString("base64url");
  await t.db.oAuthRequest.create({
    data: {
      stateHash: signInStateHash,
      provider: "microsoft",
      orgId: linkedOrgId,
      userId: "u1",
      sessionVersion: 0,
      codeVerifierCiphertext: keyring.encrypt("pkce-verifier-1", oauthVerifierAad(signInStateHash)),
      nonce: "n",
    },
  });

  const deps = { ...watchDeps(t.db, e), clock: () => clock };
  if (TEST_PROVIDER === "postgresql") {
    const worker = await startQueueWorker(deps, { connectionString: t.url, schedule: false });
    scheduler = {
      async runPeriod(now) {
        clock = now;
        await fanOut(worker.boss, deps, now);
        const deadline = Date.now() + 30_000;
        while ((await worker.inFlight()) > 0) {
          if (Date.now() > deadline) throw new Error("checks still queued after 30 s");
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      stop: () => worker.stop(),
    };
  } else {
    const local = startLocalScheduler(deps, { tickMs: 3_600_000 });
    scheduler = {
      async runPeriod(now) {
        clock = now;
        await local.tick();
        await local.idle();
      },
      stop: () => local.stop(),
    };
  }
});
afterAll(async () => {
  await scheduler?.stop();
  await Promise.all([account?.close(), systemMail?.close(), hook?.close(), dns?.close()]);
  await t?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

/** The script as an operator runs it, next to this server, on the same data folder and database. */
function rotateInBackground(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = npmScript("keys:rotate");
  const child = spawn(command.file, command.args, {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

it("rotating while the scheduler checks 20 accounts changes no status, alerts nobody, and leaves every secret readable", async () => {
  // A period after the scheduler's own first scan (on SQLite it scans at start), so every account is due each period.
  const start = Date.now() + INTERVAL;
  let k = 0;
  const nextPeriod = () => scheduler.runPeriod(new Date(start + k++ * INTERVAL));
  await nextPeriod();
  const settings = () => t.db.emailSettings.findMany({ where: { orgId: { in: orgIds } } });
  expect((await settings()).map((s) => s.status)).toEqual(Array(ACCOUNTS).fill("WORKING"));

  // A token refresh in this server, holding the keyring it was handed before the rotation, as a scheduled check does.
  const keyring = settingsKeyring();
  let refreshing = true;
  let refreshes = 0;
  const refresher = (async () => {
    while (refreshing) {
      const link = await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: linkedOrgId } });
      refreshes++;
      await t.db.mailboxLink.updateMany({
        where: { orgId: linkedOrgId, tokenVersion: link.tokenVersion },
        data: {
          tokenVersion: link.tokenVersion + 1,
          refreshTokenCiphertext: keyring.encrypt(`refresh-${refreshes}`, mailboxTokenAad(linkedOrgId, "refresh")),
          accessTokenCiphertext: keyring.encrypt(`access-${refreshes}`, mailboxTokenAad(linkedOrgId, "access")),
        },
      });
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  let rotating = true;
  const rotation = rotateInBackground().finally(() => (rotating = false));
  let periodsDuring = 0;
  while (rotating) {
    await nextPeriod();
    periodsDuring++;
  }
  refreshing = false;
  await refresher;
  const r = await rotation;
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(periodsDuring).toBeGreaterThan(0);
  // After the rotation: the old key is gone from the file, and the scheduler runs on.
  await nextPeriod();
  await nextPeriod();

  const written = JSON.parse(fs.readFileSync(secretsFile(), "utf8")) as Record<string, string>;
  expect(Object.keys(written).sort()).toEqual(["AUTH_SECRET", "SETTINGS_ENCRYPTION_KEY"]);
  expect(written.SETTINGS_ENCRYPTION_KEY).not.toBe(OLD_KEY);

  expect(await t.db.accountCheck.count({ where: { ok: false } })).toBe(0);
  expect(await t.db.accountCheck.count({ where: { checkedAt: { gte: new Date(start) } } })).toBe(
    ACCOUNTS * (periodsDuring + 3),
  );
  for (const s of await settings())
    expect(s).toMatchObject({ status: "WORKING", checkFailures: 0, failingDiagnosisId: null, alertOpenSince: null });
  expect(await t.db.alertDelivery.count()).toBe(0);
  expect(systemMail.messages).toHaveLength(0);
  expect(hook.received).toHaveLength(0);

  // Every secret, read column by column, with the new key alone.
  const only = createKeyring([keyFromBase64(written.SETTINGS_ENCRYPTION_KEY)]);
  for (const s of await settings()) expect(only.decrypt(s.passwordCiphertext!, passwordAad(s.orgId))).toBeTruthy();
  for (const org of await t.db.organisation.findMany({ where: { id: { in: orgIds } } })) {
    expect(only.decrypt(org.webhookUrlCiphertext!, webhookUrlAad(org.id))).toBe(hook.url);
    expect(only.decrypt(org.webhookSecretCiphertext!, webhookSecretAad(org.id))).toMatch(/^whsec_/);
  }
  const link = await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: linkedOrgId } });
  expect(only.decrypt(link.refreshTokenCiphertext, mailboxTokenAad(linkedOrgId, "refresh"))).toBe(
    `refresh-${refreshes}`,
  );
  expect(only.decrypt(link.accessTokenCiphertext!, mailboxTokenAad(linkedOrgId, "access"))).toBe(`access-${refreshes}`);
  const signIn = await t.db.oAuthRequest.findUniqueOrThrow({ where: { stateHash: signInStateHash } });
  expect(only.decrypt(signIn.codeVerifierCiphertext, oauthVerifierAad(signInStateHash))).toBe("pkce-verifier-1");
});
