// The Alerts section's settings and what it shows: reminders (per organisation), each owner's and admin's own
// choice of alert emails, the webhook (its host only: the URL itself may carry a token) and the recent deliveries.
// Also the watch's record for the status: the last 30 days of checks, per day, and the share that passed.
import "server-only";
import type { Db } from "../prisma";
import type { Actor } from "../actor";
import { recordAudit } from "../audit";
import { HISTORY_DAYS } from "./run-check";

export type AlertDeliveryRow = {
  id: string;
  event: string;
  channel: string;
  target: string;
  status: "PENDING" | "SENT" | "FAILED";
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
};

export type AlertsView = {
  reminderHours: number;
  webhook: { host: string; setAt: Date | null } | null;
  /** Owners and admins, and whether each gets alert emails. */
  recipients: { userId: string; name: string; email: string; alertEmails: boolean }[];
  deliveries: AlertDeliveryRow[];
};

export async function loadAlertsView(db: Db, orgId: string): Promise<AlertsView> {
  // One read from the organisation: Prisma plans it once (its recipients and deliveries come with it).
  const org = await db.organisation.findUniqueOrThrow({
    where: { id: orgId },
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
    webhook: org.webhookHost ? { host: org.webhookHost, setAt: org.webhookSetAt } : null,
    recipients: org.memberships.map((m) => ({
      userId: m.user.id,
      name: m.user.name,
      email: m.user.email,
      alertEmails: m.alertEmails,
    })),
    deliveries: org.alertDeliveries,
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

/** The last 30 days of scheduled checks, oldest day first (UTC days), with how many passed. */
export async function checkTimeline(db: Db, orgId: string, now = new Date()): Promise<CheckTimeline> {
  const startOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(startOfToday - (HISTORY_DAYS - 1) * 86_400_000);
  const checks = await db.accountCheck.findMany({
    where: { orgId, checkedAt: { gte: from } },
    select: { checkedAt: true, ok: true },
  });
  const days: CheckDay[] = Array.from({ length: HISTORY_DAYS }, (_, i) => ({
    day: new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10),
    total: 0,
    passed: 0,
  }));
  for (const check of checks) {
    const index = Math.floor((check.checkedAt.getTime() - from.getTime()) / 86_400_000);
    const day = days[Math.min(index, days.length - 1)];
    day.total++;
    if (check.ok) day.passed++;
  }
  return { days, total: checks.length, passed: checks.filter((c) => c.ok).length };
}
