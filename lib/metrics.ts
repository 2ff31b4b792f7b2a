// Prometheus metrics for operators (/api/metrics, bearer METRICS_TOKEN), with prom-client. The registry is made once
// per process; gauges that describe the whole deployment are read from the database at each scrape, so every
// instance reports the same numbers for them.
import "server-only";
import crypto from "node:crypto";
import client from "prom-client";
import type { Db } from "./prisma";

type Metrics = {
  registry: client.Registry;
  /** Scheduled checks run by this instance, by result (ok, failed). */
  checks: client.Counter<"result">;
  /** How long each scheduled check took, in seconds. */
  checkDuration: client.Histogram;
  /** Alert deliveries by channel (email, webhook) and outcome (sent, failed: given up after retrying). */
  alerts: client.Counter<"channel" | "outcome">;
};
/** How many scheduled checks are due and not yet done: given by whoever serves the metrics (it knows the interval). */
type QueueDepth = () => Promise<number>;
const holder = globalThis as typeof globalThis & { financeEmailMetrics?: Metrics; financeEmailQueueDepth?: QueueDepth };

/** The settings' states as metric labels. */
const STATES = { UNTESTED: "untested", WORKING: "working", FAILING: "failing", NOT_SET_UP: "not_set_up" } as const;

/**
 * The process's metrics. The first caller's db serves every scrape; the counters are this instance's own, as
 * Prometheus expects (it sums them over instances). The scheduled checks count themselves here, so this module
 * knows nothing of how they are scheduled: the scrape endpoint passes the queue depth in.
 */
export function metrics(db: Db, options: { checkQueueDepth?: QueueDepth } = {}): Metrics {
  if (options.checkQueueDepth) holder.financeEmailQueueDepth = options.checkQueueDepth;
  if (holder.financeEmailMetrics) return holder.financeEmailMetrics;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "fes_" });
  new client.Gauge({
    name: "fes_accounts",
    help: "Saved finance email accounts by state (untested, working, failing, not_set_up).",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const rows = await db.emailSettings.groupBy({ by: ["status"], _count: { _all: true } });
      this.reset();
      for (const state of Object.values(STATES)) this.set({ state }, 0);
      for (const row of rows) this.set({ state: STATES[row.status] }, row._count._all);
    },
  });
  new client.Gauge({
    name: "fes_mailbox_links",
    help: "Mailboxes linked by signing in, by provider.",
    labelNames: ["provider"],
    registers: [registry],
    async collect() {
      const rows = await db.mailboxLink.groupBy({ by: ["provider"], _count: { _all: true } });
      this.reset();
      for (const row of rows) this.set({ provider: row.provider }, row._count._all);
    },
  });
  new client.Gauge({
    name: "fes_check_queue_depth",
    help: "Scheduled account checks that are due and not yet done.",
    registers: [registry],
    async collect() {
      this.set((await holder.financeEmailQueueDepth?.()) ?? 0);
    },
  });
  new client.Gauge({
    name: "fes_alert_deliveries_pending",
    help: "Alert emails and webhook calls waiting to be sent or retried.",
    registers: [registry],
    async collect() {
      this.set(await db.alertDelivery.count({ where: { status: "PENDING" } }));
    },
  });
  const checks = new client.Counter({
    name: "fes_account_checks_total",
    help: "Scheduled account checks run by this instance, by result.",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const checkDuration = new client.Histogram({
    name: "fes_account_check_duration_seconds",
    help: "How long a scheduled account check took (connect, TLS, sign in, QUIT).",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30],
    registers: [registry],
  });
  const alerts = new client.Counter({
    name: "fes_alerts_total",
    help: "Alert deliveries by channel and outcome (sent; failed after retrying; skipped: the recipient no longer gets them).",
    labelNames: ["channel", "outcome"] as const,
    registers: [registry],
  });
  for (const result of ["ok", "failed"]) checks.inc({ result }, 0);
  for (const channel of ["email", "webhook"])
    for (const outcome of ["sent", "failed", "skipped"]) alerts.inc({ channel, outcome }, 0);
  holder.financeEmailMetrics = { registry, checks, checkDuration, alerts };
  return holder.financeEmailMetrics;
}

/** Compares a presented bearer token with METRICS_TOKEN in constant time. */
export function metricsTokenMatches(expected: string, authorization: string | null): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim() ?? "";
  const digest = (text: string) => crypto.createHash("sha256").update(text).digest();
  return presented !== "" && crypto.timingSafeEqual(digest(presented), digest(expected));
}
