// The watch end to end below the browser: the scheduler this database uses (pg-boss workers on
// PostgreSQL, the in-process loop on SQLite) checks a real TLS SMTP server whose account is revoked mid-test; alerts
// go through a second real SMTP server (the system mailer) and to a real HTTPS webhook. Time moves a period at a
// time through the scheduler's clock (ACCOUNT_CHECK_INTERVAL_MINUTES=1).
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createKeyring } from "@/lib/secrets/crypto";
import { saveEmailSettings } from "@/lib/mailbox/settings";
import { emailSettingsSchema } from "@/lib/mailbox/schema";
import { metrics } from "@/lib/metrics";
import { deliverAlerts, retryDelayMs, sendTestAlert } from "@/lib/watch/alert-outbox";
import { startLocalScheduler, type LocalScheduler } from "@/lib/watch/local-scheduler";
import { CHECK_QUEUE, fanOut, startQueueWorker, type QueueWorker } from "@/lib/watch/queue";
import { pruneHistory, runScheduledCheck, type WatchDeps } from "@/lib/watch/run-check";
import { currentSlot } from "@/lib/watch/schedule";
import { setWebhook, webhookUrlProblem } from "@/lib/watch/webhook";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../helpers/database";
import { createOrg, person } from "../helpers/factories";
import {
  DEFAULT_SMTP_PASSWORD,
  DEFAULT_SMTP_USER,
  startTestSmtpServer,
  type TestSmtpServer,
} from "../../stand-ins/smtp-test-server";
import { startWebhookReceiver, type WebhookReceiver } from "../../stand-ins/webhook-receiver";
import { saveTestAccount, SYSTEM_MAIL_PASSWORD, SYSTEM_MAIL_USER, testWatchDeps } from "../helpers/watch";

const INTERVAL = 60_000; // testWatchDeps's period
const keyring = createKeyring([crypto.randomBytes(32)]);
let t: TestDatabase;
let account: TestSmtpServer;
let systemMail: TestSmtpServer;
let hook: WebhookReceiver;
let deps: WatchDeps;
let clock = new Date();
let scheduler: {
  runPeriod(now: Date): Promise<void>;
  /** The period's hand-out alone: checks not yet due stay queued (pg-boss) or unstarted (in-process). */
  handOut(now: Date): Promise<void>;
  /** When the queued check for this account may start (pg-boss's startAfter), or null in-process. */
  queuedStart(orgId: string): Promise<Date | null>;
  stop(): Promise<void>;
};
let orgId: string;
let secret: string;

/** The account's time in period k from the test's start: its slot plus a little, so it is due. */
let start: number;
const period = (k: number) =>
  new Date(currentSlot(orgId, INTERVAL, new Date(start)).at.getTime() + k * INTERVAL + 1_000);

beforeAll(async () => {
  t = await createTestDatabase("watch");
  [account, systemMail, hook] = await Promise.all([
    startTestSmtpServer(),
    startTestSmtpServer({ user: SYSTEM_MAIL_USER, password: SYSTEM_MAIL_PASSWORD }),
    startWebhookReceiver(),
  ]);
  deps = testWatchDeps(t.db, keyring, systemMail.starttlsPort, () => clock, 1500);
  if (TEST_PROVIDER === "postgresql") {
    const worker: QueueWorker = await startQueueWorker(deps, { connectionString: t.url, schedule: false });
    scheduler = {
      async runPeriod(now) {
        clock = now;
        await fanOut(worker.boss, deps, now);
        const deadline = Date.now() + 15_000;
        while ((await worker.inFlight()) > 0) {
          if (Date.now() > deadline) throw new Error("checks still queued after 15 s");
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async handOut(now) {
        clock = now;
        await fanOut(worker.boss, deps, now);
      },
      async queuedStart(id) {
        const result = await worker.boss
          .getDb()
          .executeSql(
            "SELECT start_after FROM pgboss.job WHERE name = $1 AND data->>'orgId' = $2 AND state = 'created'",
            [CHECK_QUEUE, id],
          );
        const row = result.rows[0] as { start_after: Date } | undefined;
        return row ? new Date(row.start_after) : null;
      },
      stop: () => worker.stop(),
    };
  } else {
    const local: LocalScheduler = startLocalScheduler(deps, { tickMs: 3_600_000 });
    scheduler = {
      async runPeriod(now) {
        clock = now;
        await local.tick();
        await local.idle();
      },
      async handOut(now) {
        clock = now;
        await local.tick();
        await local.idle();
      },
      queuedStart: () => Promise.resolve(null),
      stop: () => local.stop(),
    };
  }
});
afterAll(async () => {
  await scheduler?.stop();
  await Promise.all([account?.close(), systemMail?.close(), hook?.close()]);
  await t?.drop();
});

const people = {
  owner: { email: "olive@riverside.example", role: "OWNER", alertEmails: true },
  admin: { email: "adam@riverside.example", role: "ADMIN", alertEmails: true },
  quietAdmin: { email: "quinn@riverside.example", role: "ADMIN", alertEmails: false },
  member: { email: "mo@riverside.example", role: "MEMBER", alertEmails: true },
} as const;

beforeEach(async () => {
  await t.db.organisation.deleteMany();
  await t.db.user.deleteMany();
  account.reset();
  account.setRevoked(false);
  systemMail.reset();
  hook.received.length = 0;
  hook.answerWith(200);
  orgId = (await createOrg(t.db, "Riverside Clinic")).id;
  for (const p of Object.values(people)) await person(t.db, orgId, p);
  const owner = await t.db.user.findUniqueOrThrow({ where: { email: people.owner.email } });
  await saveAccount({ userId: owner.id, email: owner.email, name: "Olive", orgId }, account.starttlsPort);
  secret = await setWebhook({ db: t.db, keyring }, orgId, hook.url);
  start = Date.now();
});

async function saveAccount(
  actor: { userId: string; email: string; name: string; orgId: string },
  port: number,
  version = 0,
) {
  await saveTestAccount(t.db, keyring, actor, port, version);
  // The after-save check is tested on its own; here the schedule's periods drive the checks.
  await t.db.emailSettings.update({ where: { orgId }, data: { checkDueAt: null } });
}

const settings = () => t.db.emailSettings.findUniqueOrThrow({ where: { orgId } });
const alertMailTo = (subject: RegExp) =>
  systemMail.messages
    .filter((m) => subject.test(m.subject))
    .flatMap((m) => m.envelopeTo)
    .sort();

describe(`the watch on ${TEST_PROVIDER}`, () => {
  it("a revoked app password flips Working to Failing within one period and alerts each owner and admin once, and the webhook, signed; recovery is told once", async () => {
    await scheduler.runPeriod(period(0));
    expect(await settings()).toMatchObject({ status: "WORKING", lastCheckAt: period(0) });
    expect(systemMail.messages).toHaveLength(0);

    account.setRevoked(true); // a Google password change revokes the app password
    await scheduler.runPeriod(period(1));
    expect(await settings()).toMatchObject({
      status: "FAILING",
      failingSince: period(1),
      failingDiagnosisId: "bad-credentials",
      alertOpenSince: period(1),
    });
    // One email for the owner and one for the admin; not the admin who turned theirs off, not the member.
    expect(alertMailTo(/^Action needed/)).toEqual([people.admin.email, people.owner.email]);
    const alert = systemMail.messages.find((m) => m.envelopeTo.includes(people.owner.email))!;
    const body = alert.raw.replace(/=\r?\n/g, ""); // quoted-printable soft line breaks
    expect(body).toContain("The user name or password was not accepted.");
    expect(body).toContain("Fix it here: https://fes.example/settings/email");
    expect(alert.raw).not.toContain(DEFAULT_SMTP_PASSWORD);
    const [failing] = await hook.waitFor(1);
    expect(failing.json).toMatchObject({
      event: "account.failing",
      organisation: { id: orgId, name: "Riverside Clinic" },
      diagnosis: { id: "bad-credentials" },
    });
    expect(hook.signedWith(failing, secret)).toBe(true);
    expect(hook.signedWith(failing, "whsec_someone-else")).toBe(false);

    // Still failing the next period: no second alert (the reminder is a day away).
    await scheduler.runPeriod(period(2));
    expect(systemMail.messages).toHaveLength(2);
    expect(hook.received).toHaveLength(1);

    account.setRevoked(false); // a new app password is entered
    await scheduler.runPeriod(period(3));
    expect(await settings()).toMatchObject({ status: "WORKING", alertOpenSince: null });
    expect(alertMailTo(/works again/)).toEqual([people.admin.email, people.owner.email]);
    await hook.waitFor(2);
    expect(hook.received[1].json).toMatchObject({ event: "account.recovered", since: period(1).toISOString() });
    expect(hook.signedWith(hook.received[1], secret)).toBe(true);
    await scheduler.runPeriod(period(4));
    expect(systemMail.messages).toHaveLength(4);
    expect(hook.received).toHaveLength(2);
    expect(await t.db.accountCheck.count({ where: { orgId } })).toBe(5);
  });

  it("a server that stops answering counts as failing only on the second period in a row", async () => {
    await scheduler.runPeriod(period(0));
    const actor = await t.db.user.findUniqueOrThrow({ where: { email: people.owner.email } });
    const { version } = await settings();
    await saveAccount({ userId: actor.id, email: actor.email, name: "Olive", orgId }, account.silentPort, version);
    await t.db.emailSettings.update({ where: { orgId }, data: { status: "WORKING" } });
    await scheduler.runPeriod(period(1));
    expect(await settings()).toMatchObject({ status: "WORKING", checkFailures: 1 });
    expect(systemMail.messages).toHaveLength(0);
    await scheduler.runPeriod(period(2));
    expect(await settings()).toMatchObject({ status: "FAILING", failingDiagnosisId: "timeout" });
    expect(alertMailTo(/^Action needed/)).toEqual([people.admin.email, people.owner.email]);
  });

  it("an account that never worked fails its checks without alerting anyone; once it has worked, a failure alerts", async () => {
    account.setRevoked(true); // the password was wrong from the start
    await scheduler.runPeriod(period(0));
    await scheduler.runPeriod(period(1));
    expect(await settings()).toMatchObject({ status: "FAILING", workedAt: null, alertOpenSince: null });
    expect(systemMail.messages).toHaveLength(0);
    expect(hook.received).toHaveLength(0);

    account.setRevoked(false);
    await scheduler.runPeriod(period(2));
    expect(await settings()).toMatchObject({ status: "WORKING", workedAt: period(2) });
    expect(systemMail.messages).toHaveLength(0); // nothing to recover from: nobody was alerted
    account.setRevoked(true);
    await scheduler.runPeriod(period(3));
    expect(alertMailTo(/^Action needed/)).toEqual([people.admin.email, people.owner.email]);
  });

  it("reminds every 24 hours while it fails (or every 72, or never, as the organisation chose)", async () => {
    const t0 = period(0);
    const at = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
    await runScheduledCheck(deps, orgId, at(-1)); // it worked
    account.setRevoked(true);
    await runScheduledCheck(deps, orgId, t0);
    expect(alertMailTo(/^Action needed/)).toHaveLength(2);
    await runScheduledCheck(deps, orgId, at(23));
    expect(alertMailTo(/^Still failing/)).toHaveLength(0);
    await runScheduledCheck(deps, orgId, at(24));
    expect(alertMailTo(/^Still failing/)).toEqual([people.admin.email, people.owner.email]);
    await t.db.organisation.update({ where: { id: orgId }, data: { alertReminderHours: 72 } });
    await runScheduledCheck(deps, orgId, at(72));
    expect(alertMailTo(/^Still failing/)).toHaveLength(2);
    await runScheduledCheck(deps, orgId, at(96));
    expect(alertMailTo(/^Still failing/)).toHaveLength(4);
    await t.db.organisation.update({ where: { id: orgId }, data: { alertReminderHours: 0 } });
    await runScheduledCheck(deps, orgId, at(500));
    expect(alertMailTo(/^Still failing/)).toHaveLength(4);
    expect(hook.received.map((r) => r.json.event)).toEqual(["account.failing", "account.reminder", "account.reminder"]);
  });

  it("a webhook that fails is retried with backoff, listed, and given up 24 hours after the alert", async () => {
    hook.answerWith(500);
    const t0 = period(0);
    await runScheduledCheck(deps, orgId, new Date(t0.getTime() - 3_600_000)); // it worked
    account.setRevoked(true);
    await runScheduledCheck(deps, orgId, t0);
    const webhookRow = () => t.db.alertDelivery.findFirstOrThrow({ where: { orgId, channel: "webhook" } });
    expect(await webhookRow()).toMatchObject({
      status: "PENDING",
      attempts: 1,
      lastError: "the endpoint did not accept the alert: HTTP 500",
    });
    expect((await webhookRow()).nextAttemptAt).toEqual(new Date(t0.getTime() + retryDelayMs(1)));
    // Not before its time.
    expect(await deliverAlerts(deps, { now: new Date(t0.getTime() + 30_000) })).toEqual({
      sent: 0,
      failed: 0,
      retrying: 0,
      skipped: 0,
    });
    hook.answerWith(200);
    expect(await deliverAlerts(deps, { now: new Date(t0.getTime() + retryDelayMs(1)) })).toEqual({
      sent: 1,
      failed: 0,
      retrying: 0,
      skipped: 0,
    });
    expect(await webhookRow()).toMatchObject({ status: "SENT", attempts: 2, lastError: null });
    expect(hook.received.filter((r) => r.json.event === "account.failing")).toHaveLength(2);

    // The recovery notice, to a webhook that keeps failing for a day: retried, then given up.
    hook.answerWith(503);
    account.setRevoked(false);
    const t1 = new Date(t0.getTime() + 3_600_000);
    await runScheduledCheck(deps, orgId, t1);
    const recovered = () =>
      t.db.alertDelivery.findFirstOrThrow({ where: { orgId, channel: "webhook", event: "account.recovered" } });
    let now = t1;
    while ((await recovered()).status === "PENDING") {
      now = (await recovered()).nextAttemptAt;
      await deliverAlerts(deps, { now });
    }
    expect(await recovered()).toMatchObject({
      status: "FAILED",
      lastError: "the endpoint did not accept the alert: HTTP 503",
    });
    expect(now.getTime() - t1.getTime()).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await recovered()).attempts).toBeGreaterThan(5);
  });

  it("checks, alerts and deliveries older than 30 days are pruned", async () => {
    account.setRevoked(true);
    const old = new Date(Date.now() - 31 * 86_400_000);
    await runScheduledCheck(deps, orgId, old);
    await runScheduledCheck(deps, orgId, new Date());
    expect(await t.db.accountCheck.count()).toBe(2);
    const deliveries = await t.db.alertDelivery.count();
    expect(await pruneHistory(deps)).toEqual({
      checks: 1,
      deliveries: deliveries - (await t.db.alertDelivery.count({ where: { createdAt: { gt: old } } })),
    });
    expect(await t.db.accountCheck.count()).toBe(1);
    expect(await t.db.alertDelivery.count({ where: { createdAt: { lte: old } } })).toBe(0);
  });

  it("a check runs 2 minutes after a save, not before", async () => {
    const owner = await t.db.user.findUniqueOrThrow({ where: { email: people.owner.email } });
    const { version } = await settings();
    // pg-boss holds a queued check until its real start time, so there the save is placed 2 minutes minus a few
    // seconds ago: "not before" is seen first, then the queue starts the check at its time by itself.
    const savedAt = new Date(TEST_PROVIDER === "postgresql" ? Date.now() - 114_000 : Date.now() + 5 * INTERVAL);
    const input = emailSettingsSchema.parse({
      provider: "custom",
      host: "localhost",
      port: String(account.implicitTlsPort),
      security: "ssl",
      user: DEFAULT_SMTP_USER,
      password: DEFAULT_SMTP_PASSWORD,
      fromAddress: DEFAULT_SMTP_USER,
      version: String(version),
    });
    await saveEmailSettings(
      { db: t.db, keyring },
      { userId: owner.id, email: owner.email, name: "Olive", orgId },
      input,
      savedAt,
    );
    expect((await settings()).checkDueAt).toEqual(new Date(savedAt.getTime() + 120_000));
    // The period's slot has passed, but the save's own check stands in for it, at its time.
    await scheduler.handOut(new Date(savedAt.getTime() + 119_000));
    expect((await settings()).lastCheckAt).toBeNull();
    if (TEST_PROVIDER === "postgresql") {
      expect(await scheduler.queuedStart(orgId)).toEqual(new Date(savedAt.getTime() + 120_000));
    }
    await scheduler.runPeriod(new Date(savedAt.getTime() + 121_000));
    expect(await settings()).toMatchObject({
      status: "WORKING",
      checkDueAt: null,
      lastCheckAt: new Date(savedAt.getTime() + 121_000),
    });
  });

  it("'Send a test alert' delivers a signed alert.test at once, and reports a failing webhook without retrying it", async () => {
    expect(await sendTestAlert(deps, orgId)).toEqual({ ok: true, error: null });
    const [received] = await hook.waitFor(1);
    expect(received.json).toMatchObject({ event: "alert.test", organisation: { name: "Riverside Clinic" } });
    expect(received.json.text).toEqual(expect.stringContaining("nothing is wrong"));
    expect(hook.signedWith(received, secret)).toBe(true);
    hook.answerWith(404);
    expect(await sendTestAlert(deps, orgId)).toEqual({
      ok: false,
      error: "the endpoint did not accept the alert: HTTP 404",
    });
    expect(
      await t.db.alertDelivery.findMany({
        where: { orgId, event: "alert.test" },
        orderBy: { createdAt: "asc" },
        select: { status: true },
      }),
    ).toEqual([{ status: "SENT" }, { status: "FAILED" }]);
    expect(systemMail.messages).toHaveLength(0);
  });

  it("metrics count the checks run and failed, their durations, and the alerts sent", async () => {
    const value = async (name: string, labels = "") => {
      const text = await metrics(t.db).registry.metrics();
      const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
      return line ? Number(line.split(" ")[1]) : 0;
    };
    const before = {
      ok: await value("fes_account_checks_total", '{result="ok"}'),
      failed: await value("fes_account_checks_total", '{result="failed"}'),
      durations: await value("fes_account_check_duration_seconds_count"),
      emails: await value("fes_alerts_total", '{channel="email",outcome="sent"}'),
      webhooks: await value("fes_alerts_total", '{channel="webhook",outcome="sent"}'),
    };
    await runScheduledCheck(deps, orgId, period(0));
    account.setRevoked(true);
    await runScheduledCheck(deps, orgId, period(1));
    expect(await value("fes_account_checks_total", '{result="ok"}')).toBe(before.ok + 1);
    expect(await value("fes_account_checks_total", '{result="failed"}')).toBe(before.failed + 1);
    expect(await value("fes_account_check_duration_seconds_count")).toBe(before.durations + 2);
    expect(await value("fes_alerts_total", '{channel="email",outcome="sent"}')).toBe(before.emails + 2);
    expect(await value("fes_alerts_total", '{channel="webhook",outcome="sent"}')).toBe(before.webhooks + 1);
    expect(await value("fes_alert_deliveries_pending")).toBe(0);
  });

  it("at most 5 checks at once against one SMTP host, however many accounts use it, and 5 do run at once", async () => {
    // Every reply held 200 ms, so a check lasts seconds: with 12 accounts due and 20 workers, checks must overlap
    // until the per-host bound stops them. The checks get the time a slow server needs.
    const slow = await startTestSmtpServer({ replyDelayMs: 200 });
    const budgetMs = deps.budgetMs;
    deps.budgetMs = 20_000;
    try {
      const owner = await t.db.user.findUniqueOrThrow({ where: { email: people.owner.email } });
      await t.db.emailSettings.deleteMany();
      for (let i = 0; i < 12; i++) {
        const other = await createOrg(t.db, `Clinic ${i}`);
        await saveTestAccount(
          t.db,
          keyring,
          { userId: owner.id, email: owner.email, name: "Olive", orgId: other.id },
          slow.starttlsPort,
        );
      }
      await t.db.emailSettings.updateMany({ data: { checkDueAt: null } });
      // Sessions that are open and have not said QUIT: checks in progress, as the server sees them.
      let most = 0;
      const sampler = setInterval(
        () => (most = Math.max(most, slow.sessions.filter((x) => !x.closed && !x.commands.includes("QUIT")).length)),
        5,
      );
      try {
        await scheduler.runPeriod(new Date(Date.now() + 2 * INTERVAL));
      } finally {
        clearInterval(sampler);
      }
      expect(await t.db.accountCheck.count()).toBe(12);
      expect(most).toBe(5);
      expect(await t.db.emailSettings.count({ where: { status: "WORKING" } })).toBe(12);
    } finally {
      deps.budgetMs = budgetMs;
      await slow.close();
    }
  });

  it("a webhook URL that resolves to a private address is refused", async () => {
    const guarded = { allowPrivate: false, allowedPorts: { ports: [443], ranges: [] } };
    expect(await webhookUrlProblem("https://localhost/hook", guarded)).toMatch(/private or internal address/);
    expect(await webhookUrlProblem("https://10.1.2.3/hook", guarded)).toMatch(/private or internal address/);
    expect(await webhookUrlProblem("https://[::1]/hook", guarded)).toMatch(/private or internal address/);
    expect(
      await webhookUrlProblem("https://hooks.example/x", {
        ...guarded,
        lookup: () => Promise.resolve([{ address: "169.254.169.254", family: 4 }]),
      }),
    ).toMatch(/private or internal address/);
    expect(
      await webhookUrlProblem("https://hooks.example/x", {
        ...guarded,
        lookup: () => Promise.resolve([{ address: "93.184.215.14", family: 4 }]),
      }),
    ).toBeNull();
  });
});
