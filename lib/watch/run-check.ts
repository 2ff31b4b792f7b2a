// One scheduled check, as the queue (PostgreSQL) or the in-process loop (SQLite) runs it: check the account, count
// it in the metrics, queue the alert its new status calls for and send it at once. Also the 30-day pruning.
import "server-only";
import { metrics } from "../metrics";
import { checkAccount, type CheckOutcome, type CheckRunner } from "../mailbox/check";
import { DOMAIN_RECHECK_MS, runDomainCheck } from "../deliverability/domain-checks";
import type { DnsResolve } from "../deliverability/resolver";
import { deliverAlerts, queueAlerts, queueDomainAlert, type AlertDeps } from "./alert-outbox";

export type WatchDeps = CheckRunner &
  AlertDeps & {
    /** ACCOUNT_CHECK_INTERVAL_MINUTES, in milliseconds. */
    intervalMs: number;
    /** CHECK_CONCURRENCY: checks at once in this instance. */
    concurrency: number;
    /** The scheduler's clock (tests move it a period at a time). */
    clock?: () => Date;
    /** DNS for the weekly check of the From domain (the Deliverability card); none: not checked. */
    dns?: DnsResolve;
  };

/** At most this many checks at once against one SMTP host, across the deployment. */
export const PER_HOST_CONCURRENCY = 5;
/** Checks, alerts and deliveries are kept this long. */
export const HISTORY_DAYS = 30;

export async function runScheduledCheck(
  deps: WatchDeps,
  orgId: string,
  now = deps.clock?.() ?? new Date(),
): Promise<CheckOutcome | null> {
  const outcome = await checkAccount(deps, orgId, now);
  if (!outcome) return null;
  const m = metrics(deps.db);
  m.checks.inc({ result: outcome.result.ok ? "ok" : "failed" });
  m.checkDuration.observe(outcome.result.durationMs / 1000);
  let queued = false;
  if (outcome.transition !== "changed") queued = Boolean(await queueAlerts(deps, orgId, outcome.result.diagnosis, now));
  if (deps.dns) queued = (await recheckDomainWeekly(deps, orgId, now)) || queued;
  if (queued) await deliverAlerts(deps, { orgId, now });
  return outcome;
}

/** Once a week the From domain is checked again; SPF or DMARC that newly fails is alerted. Returns whether it queued one. */
async function recheckDomainWeekly(deps: WatchDeps, orgId: string, now: Date): Promise<boolean> {
  const last = await deps.db.domainCheck.findUnique({ where: { orgId }, select: { checkedAt: true } });
  if (last && now.getTime() - last.checkedAt.getTime() < DOMAIN_RECHECK_MS) return false;
  const run = await runDomainCheck(deps.db, deps.dns!, orgId, now);
  const report = run?.check.report;
  if (!run || !report || report.handledByProvider || run.newlyFailing.length === 0) return false;
  const problems = run.newlyFailing.map((c) => ({
    check: c === "spf" ? ("SPF" as const) : ("DMARC" as const),
    summary: report[c].summary,
  }));
  await queueDomainAlert(deps, orgId, { domain: report.domain, problems }, now);
  return true;
}

/** Deletes checks and finished deliveries older than 30 days. */
export async function pruneHistory(
  deps: Pick<WatchDeps, "db">,
  now = new Date(),
): Promise<{ checks: number; deliveries: number }> {
  const before = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const [checks, deliveries] = await Promise.all([
    deps.db.accountCheck.deleteMany({ where: { checkedAt: { lt: before } } }),
    deps.db.alertDelivery.deleteMany({ where: { createdAt: { lt: before }, status: { not: "PENDING" } } }),
  ]);
  return { checks: checks.count, deliveries: deliveries.count };
}
