// Delivering alerts safely: where a webhook may go (its own private-network switch and ports, apart from SMTP's),
// what a person is told when it fails (whether the endpoint accepted it, never why a connection failed, nor what the
// operator's mailer said), one deadline and a capped answer per delivery, a limit on test alerts, signatures a
// receiver can check against replays, and alert emails that follow who is an owner or admin when they are sent.
// Real servers throughout: a TLS SMTP server as the system mailer (and as a port a webhook must not probe), and an
// HTTPS webhook receiver that can answer slowly or at length.
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadEnv } from "@/lib/env";
import { createKeyring } from "@/lib/secrets/crypto";
import {
  deliverAlerts,
  queueDomainAlert,
  sendTestAlert,
  SYSTEM_MAILER_FAILED,
  TestAlertRateLimited,
} from "@/lib/watch/alert-outbox";
import { loadAlertsView, setMyAlertEmails } from "@/lib/watch/alert-settings";
import type { WatchDeps } from "@/lib/watch/run-check";
import { watchDeps } from "@/lib/watch/start";
import { setWebhook, webhookUrlProblem } from "@/lib/watch/webhook";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../helpers/database";
import { createOrg, person } from "../helpers/factories";
import { SYSTEM_MAIL_PASSWORD, SYSTEM_MAIL_USER, testWatchDeps } from "../helpers/watch";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { startWebhookReceiver, type WebhookReceiver } from "../../stand-ins/webhook-receiver";

const keyring = createKeyring([crypto.randomBytes(32)]);
let t: TestDatabase;
let systemMail: TestSmtpServer;
let hook: WebhookReceiver;
let deps: WatchDeps;
let orgId: string;
let logged: string[];

beforeAll(async () => {
  t = await createTestDatabase("alert-delivery");
  [systemMail, hook] = await Promise.all([
    startTestSmtpServer({ user: SYSTEM_MAIL_USER, password: SYSTEM_MAIL_PASSWORD }),
    startWebhookReceiver(),
  ]);
  deps = testWatchDeps(t.db, keyring, systemMail.starttlsPort, () => new Date(), 1500);
});
afterAll(async () => {
  await Promise.all([systemMail?.close(), hook?.close()]);
  await t?.drop();
});

const people = {
  owner: { email: "olive@riverside.example", role: "OWNER" },
  admin: { email: "adam@riverside.example", role: "ADMIN" },
  leaving: { email: "lee@riverside.example", role: "ADMIN" },
  demoted: { email: "dee@riverside.example", role: "ADMIN" },
} as const;

beforeEach(async () => {
  await t.db.organisation.deleteMany();
  await t.db.user.deleteMany();
  systemMail.reset();
  hook.received.length = 0;
  hook.answerWith(200);
  orgId = (await createOrg(t.db, "Riverside Clinic")).id;
  for (const p of Object.values(people)) await person(t.db, orgId, p);
  logged = [];
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void logged.push(args.join(" ")));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The environment as an operator writes it (secrets generated into the test's own folder). */
const envWith = (vars: Record<string, string>) => loadEnv(vars as NodeJS.ProcessEnv, t.dir);
const deliveries = () =>
  t.db.alertDelivery.findMany({
    where: { orgId },
    orderBy: [{ channel: "asc" }, { target: "asc" }],
    select: { channel: true, target: true, status: true, lastError: true },
  });
const domainAlert = (now = new Date()) =>
  queueDomainAlert(
    deps,
    orgId,
    { domain: "riverside.example", problems: [{ check: "SPF", summary: "The SPF record leaves the sender out." }] },
    now,
  );

describe(`webhooks and the private network, on ${TEST_PROVIDER}`, () => {
  it("SMTP_ALLOW_PRIVATE_NETWORKS lets no webhook in; WEBHOOK_ALLOW_PRIVATE_NETWORKS does, on port 443 or WEBHOOK_ALLOWED_PORTS only", async () => {
    await setWebhook({ db: t.db, keyring }, orgId, hook.url);
    const network = (vars: Record<string, string>) => ({ ...deps, network: watchDeps(t.db, envWith(vars)).network });

    // The mail relay's switch, even with the receiver's port allowed: still a private address.
    const relayOnly = network({ SMTP_ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_ALLOWED_PORTS: String(hook.port) });
    expect(await sendTestAlert(relayOnly, orgId)).toEqual({
      ok: false,
      error: expect.stringContaining("points to a private or internal address") as unknown,
    });
    // Private addresses allowed for webhooks, but the receiver's port is not 443.
    const privateOn443 = network({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true" });
    expect(await sendTestAlert(privateOn443, orgId)).toEqual({
      ok: false,
      error: "Use an address on port 443: webhooks may not use other ports here.",
    });
    expect(hook.received).toHaveLength(0);

    const both = network({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_ALLOWED_PORTS: `443,${hook.port}` });
    expect(await sendTestAlert(both, orgId)).toEqual({ ok: true, error: null });
    expect(hook.received).toHaveLength(1);

    // Setting a webhook says the same at the field, before any lookup.
    const publicAddress = () => Promise.resolve([{ address: "93.184.215.14", family: 4 }]);
    const hosted = { ...envWith({}).webhooks, lookup: publicAddress };
    expect(await webhookUrlProblem("https://hooks.example:8443/x", hosted)).toBe(
      "Use an address on port 443: webhooks may not use other ports here.",
    );
    expect(await webhookUrlProblem("https://hooks.example/x", hosted)).toBeNull();
    expect(await webhookUrlProblem("https://hooks.example:443/x", hosted)).toBeNull();
  });

  it("a test alert says whether the endpoint accepted it, never why a connection failed; the details are logged", async () => {
    const outcomeAt = async (url: string) => {
      await setWebhook({ db: t.db, keyring }, orgId, url);
      return (await sendTestAlert(deps, orgId)).error;
    };
    hook.answerWith(401);
    expect(await outcomeAt(hook.url)).toBe("the endpoint did not accept the alert: HTTP 401");

    // A closed port, a TLS server whose certificate is not trusted, and a port that does not speak TLS at all (an
    // SMTP server): the person sees one answer for all three.
    const probes = [systemMail.closedPort, systemMail.untrustedPort, systemMail.starttlsPort];
    for (const port of probes)
      expect(await outcomeAt(`https://localhost:${port}/x`)).toBe("could not connect to the endpoint");
    const shown = (await deliveries()).map((d) => d.lastError).join("\n");
    expect(shown).not.toMatch(/ECONNREFUSED|self[- ]signed|certificate|wrong version|SSL|127\.0\.0\.1|localhost/i);
    // The operator's log has what happened.
    const log = logged.join("\n");
    expect(log).toContain("ECONNREFUSED");
    expect(log).toMatch(/self[- ]signed certificate/i);
    expect(log).toMatch(new RegExp(`localhost:${systemMail.starttlsPort}: .*wrong version number`));
  });
});

describe(`a webhook delivery's deadline and answer, on ${TEST_PROVIDER}`, () => {
  it("ends at its deadline, however slowly the endpoint trickles its answer", async () => {
    await setWebhook({ db: t.db, keyring }, orgId, hook.url);
    hook.answerSlowly(1000);
    const withDeadline = { ...deps, network: { ...deps.network, deadlineMs: 3000 } };
    expect(await sendTestAlert(withDeadline, orgId)).toEqual({
      ok: false,
      error: "the endpoint did not answer within 3 s",
    });
    // The app hung up on it: the endpoint never got to finish its answer.
    expect(await hook.lastAnswer()).toMatchObject({ complete: false });
    expect((await deliveries())[0]).toMatchObject({ status: "FAILED" });
  });

  it("reads at most 64 KiB of an answer: the status decides", async () => {
    await setWebhook({ db: t.db, keyring }, orgId, hook.url);
    hook.answerWithBody(200, 32 * 1024 * 1024);
    expect(await sendTestAlert(deps, orgId)).toEqual({ ok: true, error: null });
    const answer = await hook.lastAnswer();
    expect(answer.complete).toBe(false);
    expect(answer.written).toBeLessThan(32 * 1024 * 1024);
  });

  it("'Send a test alert' is limited to 5 a minute and 20 an hour per organisation", async () => {
    await setWebhook({ db: t.db, keyring }, orgId, hook.url);
    const t0 = Date.now();
    const at = (seconds: number) => new Date(t0 + seconds * 1000);
    for (let i = 0; i < 5; i++) expect(await sendTestAlert(deps, orgId, at(i))).toMatchObject({ ok: true });
    const refused = sendTestAlert(deps, orgId, at(10));
    await expect(refused).rejects.toThrow(TestAlertRateLimited);
    await expect(refused).rejects.toThrow(
      "Your organisation has sent 5 test alerts in a minute, the most allowed. Try again in 1 minute.",
    );
    expect(hook.received).toHaveLength(5);
    expect(await t.db.alertDelivery.count({ where: { orgId } })).toBe(5);

    for (let minute = 1; minute < 4; minute++)
      for (let i = 0; i < 5; i++) await sendTestAlert(deps, orgId, at(minute * 61 + i));
    expect(hook.received).toHaveLength(20);
    await expect(sendTestAlert(deps, orgId, at(5 * 61))).rejects.toThrow(
      "Your organisation has sent 20 test alerts in an hour, the most allowed. Try again in 55 minutes.",
    );
    expect(hook.received).toHaveLength(20);
    expect(await sendTestAlert(deps, orgId, at(3601))).toMatchObject({ ok: true });
  });
});

describe(`signed webhooks, on ${TEST_PROVIDER}`, () => {
  it("carry the delivery's id and time, and the help page's receiver sample accepts them", async () => {
    const secret = await setWebhook({ db: t.db, keyring }, orgId, hook.url);
    await sendTestAlert(deps, orgId);
    const [request] = await hook.waitFor(1);
    const row = await t.db.alertDelivery.findFirstOrThrow({ where: { orgId } });
    expect(request.headers["x-webhook-id"]).toBe(row.id);
    expect(Math.abs(Number(request.headers["x-webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(hook.signedWith(request, secret)).toBe(true);
    expect(hook.signedWith({ ...request, headers: { ...request.headers, "x-webhook-id": "other" } }, secret)).toBe(
      false,
    );
  });
});

describe(`alert emails, on ${TEST_PROVIDER}`, () => {
  it("a failure shows that the system mailer could not send; its address and reply are only in the log", async () => {
    const wrongPassword = { ...deps, systemMail: { ...deps.systemMail!, password: "not-the-password" } };
    await domainAlert();
    expect(await deliverAlerts(wrongPassword, { orgId })).toMatchObject({ sent: 0, retrying: 4 });
    const rows = await deliveries();
    expect(rows.map((r) => r.lastError)).toEqual(Array(4).fill(SYSTEM_MAILER_FAILED));
    expect(SYSTEM_MAILER_FAILED).toBe("the system mailer could not send (the operator has the details)");
    expect(logged.join("\n")).toMatch(/535/);
    expect((await loadAlertsView(t.db, { id: orgId, timeZone: "UTC" })).deliveries.map((d) => d.lastError)).toEqual(
      Array(4).fill(SYSTEM_MAILER_FAILED),
    );
  });

  it("a retried alert email is skipped, with the reason listed, for someone no longer an owner or admin or who turned alert emails off", async () => {
    const t0 = new Date();
    const mailerDown = { ...deps, systemMail: { ...deps.systemMail!, port: systemMail.closedPort } };
    await domainAlert(t0);
    expect(await deliverAlerts(mailerDown, { orgId, now: t0 })).toMatchObject({ retrying: 4 });

    // Before the retry: one admin leaves, one is made a member, and the owner turns alert emails off.
    const user = (email: string) => t.db.user.findUniqueOrThrow({ where: { email } });
    await t.db.membership.deleteMany({ where: { orgId, user: { email: people.leaving.email } } });
    await t.db.membership.updateMany({
      where: { orgId, user: { email: people.demoted.email } },
      data: { role: "MEMBER" },
    });
    await setMyAlertEmails(t.db, { userId: (await user(people.owner.email)).id, orgId }, false);

    const retry = new Date(t0.getTime() + 60_000);
    expect(await deliverAlerts(deps, { orgId, now: retry })).toEqual({ sent: 1, failed: 0, retrying: 0, skipped: 3 });
    expect(systemMail.messages.flatMap((m) => m.envelopeTo)).toEqual([people.admin.email]);
    expect(await deliveries()).toEqual([
      { channel: "email", target: people.admin.email, status: "SENT", lastError: null },
      { channel: "email", target: people.demoted.email, status: "SKIPPED", lastError: "no longer an owner or admin" },
      { channel: "email", target: people.leaving.email, status: "SKIPPED", lastError: "no longer an owner or admin" },
      { channel: "email", target: people.owner.email, status: "SKIPPED", lastError: "turned alert emails off" },
    ]);
    // Listed in the Alerts section as skipped, with why; never tried again.
    const listed = (await loadAlertsView(t.db, { id: orgId, timeZone: "UTC" })).deliveries.filter(
      (d) => d.status === "SKIPPED",
    );
    expect(listed.map((d) => d.lastError).sort()).toEqual([
      "no longer an owner or admin",
      "no longer an owner or admin",
      "turned alert emails off",
    ]);
    expect(await deliverAlerts(deps, { orgId, now: new Date(t0.getTime() + 3_600_000) })).toMatchObject({
      sent: 0,
      skipped: 0,
    });
  });
});
