// Two instances on one PostgreSQL database (pg-boss workers in each, as two `npm start` processes run them): both
// fan out the same period, yet each account is checked once and each alert is sent once, and no more than 5 checks
// at once reach one SMTP host. Runs on PostgreSQL in either pass: it is what the queue is for.
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKeyring } from "@/lib/secrets/crypto";
import { passwordAad } from "@/lib/secrets/bindings";
import { createPrismaClient, type Db } from "@/lib/prisma";
import { parseDatabaseUrl } from "@/lib/database-url";
import { CHECK_QUEUE, fanOut, jobIdFor, startQueueWorker, type QueueWorker } from "@/lib/watch/queue";
import { createOrg, person } from "../helpers/factories";
import { createPostgresDatabase } from "../helpers/postgres";
import {
  DEFAULT_SMTP_PASSWORD,
  DEFAULT_SMTP_USER,
  startTestSmtpServer,
  type TestSmtpServer,
} from "../../stand-ins/smtp-test-server";
import { SYSTEM_MAIL_PASSWORD, SYSTEM_MAIL_USER, testWatchDeps } from "../helpers/watch";

const ORGS = 24;
const INTERVAL = 60_000; // testWatchDeps's period
const keyring = createKeyring([crypto.randomBytes(32)]);
let drop: () => Promise<void>;
let url: string;
let dbs: Db[] = [];
let workers: QueueWorker[] = [];
let account: TestSmtpServer;
let systemMail: TestSmtpServer;
let clock = new Date();

beforeAll(async () => {
  ({ url, drop } = await createPostgresDatabase("watch-instances"));
  [account, systemMail] = await Promise.all([
    startTestSmtpServer(),
    startTestSmtpServer({ user: SYSTEM_MAIL_USER, password: SYSTEM_MAIL_PASSWORD }),
  ]);
  // Two instances: each its own Prisma client and its own pg-boss.
  dbs = [0, 1].map(() => createPrismaClient(parseDatabaseUrl(url)));
  workers = await Promise.all(
    dbs.map((db) => {
      const deps = testWatchDeps(db, keyring, systemMail.starttlsPort, () => clock, 3000);
      return startQueueWorker(deps, { connectionString: url, schedule: false });
    }),
  );
  const db = dbs[0];
  for (let i = 0; i < ORGS; i++) {
    const org = await createOrg(db, `Clinic ${i}`);
    await person(db, org.id, { email: `owner${i}@clinic.example`, name: `Owner ${i}`, role: "OWNER" });
    await db.emailSettings.create({
      data: {
        orgId: org.id,
        provider: "custom",
        host: "localhost",
        port: account.starttlsPort,
        security: "starttls",
        username: DEFAULT_SMTP_USER,
        passwordCiphertext: keyring.encrypt(DEFAULT_SMTP_PASSWORD, passwordAad(org.id)),
        fromName: "",
        fromAddress: DEFAULT_SMTP_USER,
      },
    });
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(dbs.map((db) => db.$disconnect()));
  await Promise.all([account?.close(), systemMail?.close()]);
  await drop?.();
});

/** Both instances fan out the same moment, then both work until nothing is queued; returns the most SMTP sessions open at once. */
async function runPeriodOnBoth(now: Date): Promise<number> {
  clock = now;
  let most = 0;
  // A check is at the host from its connection until it says QUIT (the socket may close a moment after the job ends).
  const sampler = setInterval(
    () => (most = Math.max(most, account.sessions.filter((s) => !s.closed && !s.commands.includes("QUIT")).length)),
    5,
  );
  try {
    await Promise.all(workers.map((w, i) => fanOut(w.boss, { db: dbs[i], intervalMs: INTERVAL, budgetMs: 3000 }, now)));
    const deadline = Date.now() + 30_000;
    while ((await workers[0].inFlight()) > 0) {
      if (Date.now() > deadline) throw new Error("checks still queued after 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    clearInterval(sampler);
  }
  return most;
}

it("two instances: each account is checked once per period, each alert sent once, at most 5 at once per SMTP host", async () => {
  const start = Date.now() + INTERVAL;
  const peak = await runPeriodOnBoth(new Date(start));
  const db = dbs[0];
  const perOrg = await db.accountCheck.groupBy({ by: ["orgId"], _count: { _all: true } });
  expect(perOrg).toHaveLength(ORGS);
  expect(perOrg.every((row) => row._count._all === 1)).toBe(true);
  expect(peak).toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(5);
  // Both instances did some of the work.
  expect(await db.emailSettings.count({ where: { status: "WORKING" } })).toBe(ORGS);

  account.setRevoked(true);
  await runPeriodOnBoth(new Date(start + INTERVAL));
  expect(await db.accountCheck.count()).toBe(2 * ORGS);
  expect(await db.emailSettings.count({ where: { status: "FAILING" } })).toBe(ORGS);
  const deadline = Date.now() + 10_000;
  while (systemMail.messages.length < ORGS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // any duplicate would have arrived by now
  const recipients = systemMail.messages.flatMap((m) => m.envelopeTo).sort();
  expect(recipients).toEqual(Array.from({ length: ORGS }, (_, i) => `owner${i}@clinic.example`).sort());
  expect(await db.alertDelivery.count({ where: { status: "SENT" } })).toBe(ORGS);
}, 90_000);

it("a period's job that waited while the account was checked within the last half period is left out; a save's job still runs", async () => {
  const db = dbs[0];
  const org = await db.emailSettings.findFirstOrThrow({ select: { orgId: true, host: true } });
  const before = await db.accountCheck.count({ where: { orgId: org.orgId } });
  // As if the next period's job was queued while the first one still waited in a backlog.
  await workers[0].boss.insert(CHECK_QUEUE, [
    { id: jobIdFor(`${org.orgId}:backlog`), data: { orgId: org.orgId, host: org.host } },
  ]);
  await workers[0].boss.insert(CHECK_QUEUE, [
    { id: jobIdFor(`${org.orgId}:save:99`), data: { orgId: org.orgId, host: org.host, afterSave: true } },
  ]);
  const deadline = Date.now() + 15_000;
  while ((await workers[0].inFlight()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(await db.accountCheck.count({ where: { orgId: org.orgId } })).toBe(before + 1);
});
