// Which alert an account's status calls for, and getting it to people. The alert state lives on the settings row
// (alertOpenSince: the failing alert of this episode went out; lastAlertAt: when the last one did), and the deliveries
// are written in the same transaction that moves it, with a compare-and-set on that state: however many checks or
// instances race, one of them queues the alert, and a restart neither repeats nor loses it. The queued deliveries
// (one email per owner or admin who wants them, and the webhook) are then sent, and retried with backoff for 24 hours.
import "server-only";
import type { Keyring } from "../secrets/crypto";
import { metrics } from "../metrics";
import type { Db, Prisma } from "../prisma";
import type { Diagnosis } from "../smtp/diagnose";
import type { SystemMailConfig } from "../system-mail";
import { sendAlertEmail, webhookRequest, type AlertDetails, type AlertEvent } from "./alerts";
import { postWebhook, webhookTarget, type NetworkOptions } from "./webhook";

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
  const row = await deps.db.alertDelivery.create({
    data: {
      orgId,
      event: "alert.test",
      channel: "webhook",
      target: org.webhookHost,
      payload: toPayload(details),
      nextAttemptAt: now,
      createdAt: now,
    },
  });
  await deliverAlerts(deps, { ids: [row.id], now });
  const done = await deps.db.alertDelivery.findUniqueOrThrow({ where: { id: row.id } });
  return { ok: done.status === "SENT", error: done.lastError };
}

/**
 * Sends the deliveries that are due (all, one organisation's, or the given ones). Each is claimed first, so two
 * instances never send the same one; a failure is retried with backoff until 24 hours after it was queued (a test
 * alert is not retried: its button shows the result).
 */
export async function deliverAlerts(
  deps: AlertDeps,
  options: { now?: Date; orgId?: string; ids?: string[]; limit?: number } = {},
): Promise<{ sent: number; failed: number; retrying: number }> {
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
  const totals = { sent: 0, failed: 0, retrying: 0 };
  const webhooks = new Map<string, Awaited<ReturnType<typeof webhookTarget>>>();
  for (const d of due) {
    const claimed = await deps.db.alertDelivery.updateMany({
      where: { id: d.id, status: "PENDING", attempts: d.attempts },
      data: { attempts: d.attempts + 1, nextAttemptAt: new Date(now.getTime() + SEND_LEASE_MS) },
    });
    if (claimed.count !== 1) continue;
    const attempt = d.attempts + 1;
    let error: string | null = null;
    try {
      const details = fromPayload(d.payload);
      if (d.channel === "email") {
        if (!deps.systemMail) throw new Error("system mail is not set up");
        await sendAlertEmail(deps.systemMail, d.target, details);
      } else {
        if (!webhooks.has(d.orgId)) webhooks.set(d.orgId, await webhookTarget(deps.db, deps.keyring, d.orgId));
        const hook = webhooks.get(d.orgId);
        if (!hook) throw new Error("the webhook was removed");
        await postWebhook(hook.url, webhookRequest(details, hook.secret), deps.network);
      }
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").slice(0, 300);
    }
    if (error === null) {
      await deps.db.alertDelivery.update({
        where: { id: d.id },
        data: { status: "SENT", sentAt: new Date(), lastError: null },
      });
      totals.sent++;
      metrics(deps.db).alerts.inc({ channel: d.channel, outcome: "sent" });
      continue;
    }
    const retryAt = new Date(now.getTime() + retryDelayMs(attempt));
    const giveUp = d.event === "alert.test" || retryAt.getTime() - d.createdAt.getTime() > RETRY_FOR_MS;
    await deps.db.alertDelivery.update({
      where: { id: d.id },
      data: giveUp ? { status: "FAILED", lastError: error } : { nextAttemptAt: retryAt, lastError: error },
    });
    if (giveUp) {
      totals.failed++;
      metrics(deps.db).alerts.inc({ channel: d.channel, outcome: "failed" });
    } else totals.retrying++;
  }
  return totals;
}
