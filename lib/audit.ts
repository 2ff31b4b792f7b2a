// Audit trail: who did what, when, in which organisation. details must never carry a secret.
import type { Actor } from "./actor";
import type { Db, Prisma } from "./prisma";

type Writer = Pick<Db, "auditEvent">;

export async function recordAudit(
  db: Writer,
  event: {
    orgId: string | null;
    actor: Pick<Actor, "userId" | "email"> | null;
    action: string;
    details?: Record<string, unknown>;
  },
) {
  await db.auditEvent.create({
    data: {
      orgId: event.orgId,
      actorId: event.actor?.userId ?? null,
      actorEmail: event.actor?.email ?? null,
      action: event.action,
      // Plain data (text, numbers, lists, objects): stored as JSON as it is.
      details: (event.details ?? {}) as Prisma.InputJsonObject,
    },
  });
}

export async function recentAuditEvents(db: Db, orgId: string, take = 10) {
  const rows = await db.auditEvent.findMany({ where: { orgId }, orderBy: { createdAt: "desc" }, take });
  return rows.map((r) => ({ ...r, details: r.details as Record<string, unknown> }));
}

/** One line a person can read, e.g. "Added ana@example.com as Admin". */
export function describeAuditEvent(action: string, details: Record<string, unknown>): string {
  const s = (key: string) => {
    const value = details[key];
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  };
  switch (action) {
    case "setup.completed":
      return `Created the organisation ${s("organisation")}`;
    case "member.added":
      return `Added ${s("email")} as ${s("role").charAt(0)}${s("role").slice(1).toLowerCase()}`;
    case "member.role_changed":
      return `Changed ${s("email")} from ${s("from")} to ${s("to")}`;
    case "member.removed":
      return `Removed ${s("email")}`;
    case "member.password_reset":
      return `Reset the password of ${s("email")} and signed them out everywhere`;
    case "user.password_changed":
      return "Changed their password";
    case "user.signed_out_everywhere":
      return "Signed out everywhere";
    case "sign_in.succeeded":
      return details.with === "code" ? "Signed in with a one-time code" : "Signed in";
    case "sign_in.failed":
      return "Failed sign-in attempt";
    case "sign_in.code_sent":
      return "Was emailed a one-time sign-in code (the right password from a new address after many wrong ones)";
    case "email_settings.saved":
      return `Saved the finance email settings (${Object.keys((details.changes as Record<string, unknown>) ?? {}).length} changes)`;
    case "organisation.time_zone":
      return `Changed the time zone from ${s("from")} to ${s("to")}`;
    case "alerts.reminders":
      return Number(details.reminderHours)
        ? `Set alert reminders to every ${s("reminderHours")} hours`
        : "Turned alert reminders off";
    case "alerts.webhook_set":
      return `Set the alert webhook (${s("host")})`;
    case "alerts.webhook_removed":
      return "Removed the alert webhook";
    default:
      return action;
  }
}
