// Which alert an account's status calls for, and getting it to people. The alert state lives on the settings row
// (alertOpenSince: the failing alert of this episode went out; lastAlertAt: when the last one did), and the deliveries
// are written in the same transaction that moves it, with a compare-and-set on that state: however many checks or
// instances race, one of them queues the alert, and a restart neither repeats nor loses it. The queued deliveries
// (one email per owner or admin who wants them, and the webhook) are then sent, and retried with backoff for 24 hours;
// an email whose recipient is no longer an owner or admin, or turned alert emails off, is skipped when its turn comes.
// What went wrong is shown in plain words; the details (the operator's mailer, a webhook's connection) are logged.
import "server-only";
import type { Keyring } from "../secrets/crypto";
import { retryAt, type AttemptLimit } from "../attempt-limit";
import { UserFacingError } from "../errors";
import { minutesUntil } from "../format";
import { metrics } from "../metrics";
import type { Db, Prisma } from "../prisma";
import type { Diagnosis } from "../smtp/diagnose";
import type { SystemMailConfig } from "../system-mail";
import { sendAlertEmail, webhookBody, type AlertDetails, type AlertEvent } from "./alerts";
import { postWebhook, WebhookDeliveryError, webhookTarget, type NetworkOptions } from "./webhook";
import { webhookSignatureHeaders } from "./webhook-signature";

export const RETRY_FOR_MS = 24 * 3_600_000;
/** While one instance sends a delivery, the others leave it alone for this long. */
const SEND_LEASE_MS = 2 * 60_000;

export type AlertDeps = {
  db: Db;
  keyring: Keyring;
  /** The operator's system mailer; without one, alerts are in-app and webhook only. */
  systemMail: SystemMailConfig | null;
  /** The Finance email page, absolute, for the link in every alert. */
  pageUrl: string;
  network: NetworkOptions;
};

/** Wait before the nth retry: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 60_000 * 2 ** Math.max(0, attempt - 1));
}

type AlertState = {
  status: string;
  failingSince: Date | null;
  alertOpenSince: Date | null;
  lastAlertAt: Date | null;
  /** Null while the account never worked (see EmailSettingsView.workedAt). */
  workedAt: Date | null;
};

/** The alert the status calls for now, if any. reminderHours 0 means no reminders. */
export function alertDue(s: AlertState, reminderHours: number, now: Date): AlertEvent | null {
  if (s.status === "FAILING") {
    // An account that never worked is being set up: the page tells whoever sets it up; nobody is alerted.
    if (!s.workedAt && !s.alertOpenSince) return null;
    if (!s.alertOpenSince) return "account.failing";
    if (reminderHours > 0 && s.lastAlertAt && now.getTime() - s.lastAlertAt.getTime() >= reminderHours * 3_600_000)
      return "account.reminder";
    return null;
  }
  return s.status === "WORKING" && s.alertOpenSince ? "account.recovered" : null;
}

/** The alert as a delivery's payload keeps it: JSON, so its time as ISO text. Alerts queued before organisations had
 * a time zone have none: they are written in UTC. */
type StoredAlert = Omit<AlertDetails, "since" | "organisation"> & {
  since: string | null;
  organisation: Omit<AlertDetails["organisation"], "timeZone"> & { timeZone?: string };
};

function toPayload(details: AlertDetails): StoredAlert {
  return { ...details, since: details.since?.toISOString() ?? null };
}
function fromPayload(payload: Prisma.JsonValue): AlertDetails {
  const stored = payload as StoredAlert;
  return {
    ...stored,
    organisation: { ...stored.organisation, timeZone: stored.organisation.timeZone ?? "UTC" },
    since: stored.since ? new Date(stored.since) : null,
  };
}

/**
 * After a check: queues the alert the account's status calls for (failing, reminder or recovered), with the state
 * change, in one transaction. Returns the event queued, or null.
 */
export async function queueAlerts(
  deps: AlertDeps,
  orgId: string,
  diagnosis: Diagnosis | null | undefined,
  now = new Date(),
): Promise<AlertEvent | null> {
  const { db } = deps;
  const [state, org] = await Promise.all([
    db.emailSettings.findUnique({
      where: { orgId },
      select: { status: true, failingSince: true, alertOpenSince: true, lastAlertAt: true, workedAt: true },
    }),
    db.organisation.findUnique({
      where: { id: orgId },
      select: { name: true, timeZone: true, alertReminderHours: true, webhookHost: true },
    }),
  ]);
  if (!state || !org) return null;
  const event = alertDue(state, org.alertReminderHours, now);
  if (!event) return null;

  const details: AlertDetails = {
    event,
    organisation: { id: orgId, name: org.name, timeZone: org.timeZone },
    diagnosis:
      event === "account.recovered" || !diagnosis
        ? null
        : { id: diagnosis.id, title: diagnosis.title, advice: diagnosis.advice },
    since: event === "account.recovered" ? state.alertOpenSince : (state.failingSince ?? now),
    pageUrl: deps.pageUrl,
  };
  const nextState =
    event === "account.recovered"
      ? { alertOpenSince: null, lastAlertAt: now }
      : { alertOpenSince: state.alertOpenSince ?? details.since, lastAlertAt: now };

  const queued = await db.$transaction(async (tx) => {
    const claimed = await tx.emailSettings.updateMany({
      where: { orgId, status: state.status, alertOpenSince: state.alertOpenSince, lastAlertAt: state.lastAlertAt },
      data: nextState,
    });
    if (claimed.count !== 1) return false;
    await createDeliveries(tx, deps, { orgId, details, webhookHost: org.webhookHost, now });
    return true;
  });
  return queued ? event : null;
}

type Tx = Parameters<Parameters<AlertDeps["db"]["$transaction"]>[0]>[0];

/** One delivery per owner and admin who wants alert emails (when there is a system mailer), and the webhook's. */
async function createDeliveries(
  tx: Tx,
  deps: AlertDeps,
  { orgId, details, webhookHost, now }: { orgId: string; details: AlertDetails; webhookHost: string | null; now: Date },
) {
  const recipients = deps.systemMail
    ? await tx.membership.findMany({
        where: { orgId, role: { in: ["OWNER", "ADMIN"] }, alertEmails: true },
        select: { user: { select: { email: true } } },
      })
    : [];
  const payload = toPayload(details);
  const rows = [
    ...recipients.map((r) => ({ channel: "email" as const, target: r.user.email })),
    ...(webhookHost ? [{ channel: "webhook" as const, target: webhookHost }] : []),
  ].map((r) => ({ ...r, orgId, event: details.event, payload, nextAttemptAt: now, createdAt: now }));
  if (rows.length > 0) await tx.alertDelivery.createMany({ data: rows });
}

/** Queues the alert that the From domain's SPF or DMARC has started failing (the weekly domain check found it). */
export async function queueDomainAlert(
  deps: AlertDeps,
  orgId: string,
  deliverability: NonNullable<AlertDetails["deliverability"]>,
  now = new Date(),
): Promise<void> {
  const org = await deps.db.organisation.findUnique({
    where: { id: orgId },
    select: { name: true, timeZone: true, webhookHost: true },
  });
  if (!org) return;
  const details: AlertDetails = {
    event: "domain.failing",
    organisation: { id: orgId, name: org.name, timeZone: org.timeZone },
    diagnosis: null,
    since: now,
    pageUrl: deps.pageUrl,
    deliverability,
  };
  await deps.db.$transaction((tx) => createDeliveries(tx, deps, { orgId, details, webhookHost: org.webhookHost, now }));
}

/** Test alerts per organisation, counted like the test send's runs: the rows themselves, written before counting. */
export const TEST_ALERT_LIMITS = [
  { max: 5, windowMs: 60_000, label: "a minute" },
  { max: 20, windowMs: 60 * 60_000, label: "an hour" },
] as const satisfies (AttemptLimit & { label: string })[];

export class TestAlertRateLimited extends UserFacingError {}

/** Queues a test alert to the webhook and sends it at once. Returns the delivery's outcome. */
export async function sendTestAlert(
  deps: AlertDeps,
  orgId: string,
  now = new Date(),
): Promise<{ ok: boolean; error: string | null }> {
  const org = await deps.db.organisation.findUniqueOrThrow({
    where: { id: orgId },
    select: { name: true, timeZone: true, webhookHost: true },
  });
  if (!org.webhookHost) return { ok: false, error: "No webhook is set." };
  const details: AlertDetails = {
    event: "alert.test",
    organisation: { id: orgId, name: org.name, timeZone: org.timeZone },
    diagnosis: null,
    since: null,
    pageUrl: deps.pageUrl,
  };
  // Written as already claimed by this request (its first attempt, under a lease), so no scheduler sends it meanwhile;
  // then counted, so requests racing past the limit cannot all get through.
  const row = await deps.db.alertDelivery.create({
    data: {
      orgId,
      event: "alert.test",
      channel: "webhook",
      target: org.webhookHost,
      payload: toPayload(details),
      attempts: 1,
      nextAttemptAt: new Date(now.getTime() + SEND_LEASE_MS),
      createdAt: now,
    },
  });
  for (const limit of TEST_ALERT_LIMITS) {
    const others = await deps.db.alertDelivery.findMany({
      where: {
        orgId,
        event: "alert.test",
        id: { not: row.id },
        createdAt: { gt: new Date(now.getTime() - limit.windowMs) },
      },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    });
    const until = retryAt(
      others.map((o) => o.createdAt),
      limit,
    );
    if (until) {
      await deps.db.alertDelivery.delete({ where: { id: row.id } });
      throw new TestAlertRateLimited(
        `Your organisation has sent ${limit.max} test alerts in ${limit.label}, the most allowed. Try again in ${minutesUntil(until, now)}.`,
      );
    }
  }
  const { error } = await deliverOne(deps, row, now, new Map());
  return { ok: error === null, error };
}

type Delivery = Awaited<ReturnType<Db["alertDelivery"]["findMany"]>>[number];
type Outcome = "sent" | "failed" | "retrying" | "skipped";

/**
 * Sends the deliveries that are due (all, one organisation's, or the given ones). Each is claimed first, so two
 * instances never send the same one; a failure is retried with backoff until 24 hours after it was queued (a test
 * alert is not retried: its button shows the result).
 */
export async function deliverAlerts(
  deps: AlertDeps,
  options: { now?: Date; orgId?: string; ids?: string[]; limit?: number } = {},
): Promise<Record<Outcome, number>> {
  const now = options.now ?? new Date();
  const due = await deps.db.alertDelivery.findMany({
    where: {
      status: "PENDING",
      nextAttemptAt: { lte: now },
      ...(options.orgId ? { orgId: options.orgId } : {}),
      ...(options.ids ? { id: { in: options.ids } } : {}),
    },
    orderBy: { nextAttemptAt: "asc" },
    take: options.limit ?? 100,
  });
  const totals = { sent: 0, failed: 0, retrying: 0, skipped: 0 };
  const webhooks: WebhookCache = new Map();
  for (const d of due) {
    const claimed = await deps.db.alertDelivery.updateMany({
      where: { id: d.id, status: "PENDING", attempts: d.attempts },
      data: { attempts: d.attempts + 1, nextAttemptAt: new Date(now.getTime() + SEND_LEASE_MS) },
    });
    if (claimed.count !== 1) continue;
    totals[(await deliverOne(deps, { ...d, attempts: d.attempts + 1 }, now, webhooks)).outcome]++;
  }
  return totals;
}

type WebhookCache = Map<string, Awaited<ReturnType<typeof webhookTarget>>>;

/** One claimed delivery (`attempts` counts this one): sent, skipped, or its failure recorded for a retry or for good. */
async function deliverOne(
  deps: AlertDeps,
  d: Delivery,
  now: Date,
  webhooks: WebhookCache,
): Promise<{ outcome: Outcome; error: string | null }> {
  const skipped = d.channel === "email" ? await recipientGone(deps.db, d.orgId, d.target) : null;
  if (skipped) {
    await deps.db.alertDelivery.update({ where: { id: d.id }, data: { status: "SKIPPED", lastError: skipped } });
    metrics(deps.db).alerts.inc({ channel: d.channel, outcome: "skipped" });
    return { outcome: "skipped", error: skipped };
  }
  const error = await send(deps, d, webhooks);
  if (error === null) {
    await deps.db.alertDelivery.update({
      where: { id: d.id },
      data: { status: "SENT", sentAt: new Date(), lastError: null },
    });
    metrics(deps.db).alerts.inc({ channel: d.channel, outcome: "sent" });
    return { outcome: "sent", error };
  }
  const nextTry = new Date(now.getTime() + retryDelayMs(d.attempts));
  const giveUp = d.event === "alert.test" || nextTry.getTime() - d.createdAt.getTime() > RETRY_FOR_MS;
  await deps.db.alertDelivery.update({
    where: { id: d.id },
    data: giveUp ? { status: "FAILED", lastError: error } : { nextAttemptAt: nextTry, lastError: error },
  });
  if (!giveUp) return { outcome: "retrying", error };
  metrics(deps.db).alerts.inc({ channel: d.channel, outcome: "failed" });
  return { outcome: "failed", error };
}

/** Why an alert email is no longer for its recipient (as the Alerts section lists it), or null when it still is. */
async function recipientGone(db: Db, orgId: string, email: string): Promise<string | null> {
  const member = await db.membership.findFirst({
    where: { orgId, user: { email } },
    select: { role: true, alertEmails: true },
  });
  if (!member || (member.role !== "OWNER" && member.role !== "ADMIN")) return "no longer an owner or admin";
  return member.alertEmails ? null : "turned alert emails off";
}

export const SYSTEM_MAILER_FAILED = "the system mailer could not send (the operator has the details)";
const NOT_SENT = "the alert could not be sent (the operator has the details)";

/** Sends one delivery: null when it went out, else what the Alerts section shows (the details go to the log). */
async function send(deps: AlertDeps, d: Delivery, webhooks: WebhookCache): Promise<string | null> {
  try {
    const details = fromPayload(d.payload);
    if (d.channel === "email") {
      if (!deps.systemMail) return "system mail is not set up";
      try {
        await sendAlertEmail(deps.systemMail, d.target, details);
        return null;
      } catch (err) {
        logFailure(d, err);
        return SYSTEM_MAILER_FAILED;
      }
    }
    if (!webhooks.has(d.orgId)) webhooks.set(d.orgId, await webhookTarget(deps.db, deps.keyring, d.orgId));
    const hook = webhooks.get(d.orgId);
    if (!hook) return "the webhook was removed";
    const body = webhookBody(details);
    // Signed at sending: each attempt carries its own time, and the delivery's id stays the same across retries.
    const headers = webhookSignatureHeaders(body, { secret: hook.secret, id: d.id, at: new Date() });
    await postWebhook(hook.url, { body, headers }, deps.network);
    return null;
  } catch (err) {
    if (!(err instanceof WebhookDeliveryError)) {
      logFailure(d, err);
      return NOT_SENT;
    }
    // An endpoint's own answer (its HTTP status) is shown as it is; only what the person does not see is logged.
    if (err.detail !== err.message) logFailure(d, err.detail);
    return err.message;
  }
}

function logFailure(d: Delivery, detail: unknown) {
  const text = detail instanceof Error ? `${detail.name}: ${detail.message}` : String(detail);
  console.warn(`[alerts] ${d.channel} delivery ${d.id} (${d.event}, organisation ${d.orgId}) failed: ${text}`);
}
