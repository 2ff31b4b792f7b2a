// The Alerts section's settings and what it shows: reminders (per organisation), each owner's and admin's own
// choice of alert emails, the webhook (its host only: the URL itself may carry a token) and the recent deliveries.
// Also the watch's record for the status: the last 30 days of checks, per day, and the share that passed.
import "server-only";
import type { Db } from "../prisma";
import type { Actor } from "../actor";
import { recordAudit } from "../audit";
import { dayIn, timestamp, type Timestamp } from "../format";
import { HISTORY_DAYS } from "./run-check";

export type AlertDeliveryRow = {
  id: string;
  event: string;
  channel: string;
  target: string;
  status: "PENDING" | "SENT" | "FAILED" | "SKIPPED";
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
};

/** What the section shows; its times already in the organisation's zone (the section is a client component). */
export type AlertsView = {
  reminderHours: number;
  webhook: { host: string; setAt: Timestamp | null } | null;
  /** Owners and admins, and whether each gets alert emails. */
  recipients: { userId: string; name: string; email: string; alertEmails: boolean }[];
  /** Each with when it was sent (or queued) and its next try. */
  deliveries: (AlertDeliveryRow & { at: Timestamp; nextTry: Timestamp })[];
};

export async function loadAlertsView(db: Db, organisation: { id: string; timeZone: string }): Promise<AlertsView> {
  const zone = organisation.timeZone;
  // One read from the organisation: Prisma plans it once (its recipients and deliveries come with it).
  const org = await db.organisation.findUniqueOrThrow({
    where: { id: organisation.id },
    select: {
      alertReminderHours: true,
      webhookHost: true,
      webhookSetAt: true,
      memberships: {
        where: { role: { in: ["OWNER", "ADMIN"] } },
        select: { alertEmails: true, user: { select: { id: true, name: true, email: true } } },
        orderBy: { createdAt: "asc" },
      },
      alertDeliveries: {
        orderBy: { createdAt: "desc" },
        take: 10,
        // Not the payload: the section lists deliveries, it never shows what was sent.
        select: {
          id: true,
          event: true,
          channel: true,
          target: true,
          status: true,
          attempts: true,
          lastError: true,
          createdAt: true,
          sentAt: true,
          nextAttemptAt: true,
        },
      },
    },
  });
  return {
    reminderHours: org.alertReminderHours,
    webhook: org.webhookHost
      ? { host: org.webhookHost, setAt: org.webhookSetAt && timestamp(org.webhookSetAt, zone) }
      : null,
    recipients: org.memberships.map((m) => ({
      userId: m.user.id,
      name: m.user.name,
      email: m.user.email,
      alertEmails: m.alertEmails,
    })),
    deliveries: org.alertDeliveries.map((d) => ({
      ...d,
      at: timestamp(d.sentAt ?? d.createdAt, zone),
      nextTry: timestamp(d.nextAttemptAt, zone),
    })),
  };
}

export async function saveAlertReminders(
  db: Db,
  actor: Pick<Actor, "userId" | "email" | "orgId">,
  reminderHours: number,
): Promise<void> {
  await db.organisation.update({ where: { id: actor.orgId }, data: { alertReminderHours: reminderHours } });
  await recordAudit(db, { orgId: actor.orgId, actor, action: "alerts.reminders", details: { reminderHours } });
}

/** One person's own alert emails, in one organisation: nobody else's changes. */
export async function setMyAlertEmails(
  db: Db,
  member: Pick<Actor, "userId" | "orgId">,
  alertEmails: boolean,
): Promise<void> {
  await db.membership.update({
    where: { userId_orgId: { userId: member.userId, orgId: member.orgId } },
    data: { alertEmails },
  });
}

export type CheckDay = { day: string; total: number; passed: number };
export type CheckTimeline = { days: CheckDay[]; total: number; passed: number };

/**
 * The last 30 days of scheduled checks, oldest day first, with how many passed. Days are the organisation's: a check
 * at 23:30 UTC belongs to the next day in Sydney.
 */
export async function checkTimeline(
  db: Db,
  org: { id: string; timeZone: string },
  now = new Date(),
): Promise<CheckTimeline> {
  const [year, month, day] = dayIn(now, org.timeZone).split("-").map(Number);
  const days: CheckDay[] = Array.from({ length: HISTORY_DAYS }, (_, i) => ({
    day: new Date(Date.UTC(year, month - 1, day - (HISTORY_DAYS - 1 - i))).toISOString().slice(0, 10),
    total: 0,
    passed: 0,
  }));
  const byDay = new Map(days.map((d) => [d.day, d]));
  // A day in any zone starts at most 14 hours from UTC's: one day more than the strip covers every zone.
  const from = new Date(Date.UTC(year, month - 1, day - HISTORY_DAYS));
  const checks = await db.accountCheck.findMany({
    where: { orgId: org.id, checkedAt: { gte: from } },
    select: { checkedAt: true, ok: true },
  });
  let total = 0;
  let passed = 0;
  for (const check of checks) {
    const entry = byDay.get(dayIn(check.checkedAt, org.timeZone));
    if (!entry) continue;
    entry.total++;
    total++;
    if (check.ok) {
      entry.passed++;
      passed++;
    }
  }
  return { days, total, passed };
}
