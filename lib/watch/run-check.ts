// One scheduled check, as the queue (PostgreSQL) or the in-process loop (SQLite) runs it: check the account, count
// it in the metrics, queue the alert its new status calls for and send it at once. Also the 30-day pruning.
import "server-only";
import { metrics } from "../metrics";
import { checkAccount, type CheckOutcome, type CheckRunner } from "./account-check";
import { deliverAlerts, queueAlerts, type AlertDeps } from "./alert-outbox";

export type WatchDeps = CheckRunner &
  AlertDeps & {
    /** ACCOUNT_CHECK_INTERVAL_MINUTES, in milliseconds. */
    intervalMs: number;
    /** CHECK_CONCURRENCY: checks at once in this instance. */
    concurrency: number;
    /** The scheduler's clock (tests move it a period at a time). */
    clock?: () => Date;
  };

/** At most this many checks at once against one SMTP host, across the deployment. */
export const PER_HOST_CONCURRENCY = 5;
/** Checks, alerts and deliveries are kept this long. */
export const HISTORY_DAYS = 30;

export async function runScheduledCheck(deps: WatchDeps, orgId: string, now = deps.clock?.() ?? new Date()): Promise<CheckOutcome | null> {
  const outcome = await checkAccount(deps, orgId, now);
  if (!outcome) return null;
  const m = metrics(deps.db);
  m.checks.inc({ result: outcome.result.ok ? "ok" : "failed" });
  m.checkDuration.observe(outcome.result.durationMs / 1000);
  if (outcome.transition !== "changed") {
    const event = await queueAlerts(deps, orgId, outcome.result.diagnosis, now);
    if (event) await deliverAlerts(deps, { orgId, now });
  }
  return outcome;
}

/** Deletes checks and finished deliveries older than 30 days. */
export async function pruneHistory(deps: Pick<WatchDeps, "db">, now = new Date()): Promise<{ checks: number; deliveries: number }> {
  const before = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const [checks, deliveries] = await Promise.all([
    deps.db.accountCheck.deleteMany({ where: { checkedAt: { lt: before } } }),
    deps.db.alertDelivery.deleteMany({ where: { createdAt: { lt: before }, status: { not: "PENDING" } } }),
  ]);
  return { checks: checks.count, deliveries: deliveries.count };
}
