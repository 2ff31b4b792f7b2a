// Prometheus metrics for operators (/api/metrics, bearer METRICS_TOKEN), with prom-client. The registry is made once
// per process; gauges that describe the whole deployment are read from the database at each scrape, so every
// instance reports the same numbers for them.
import "server-only";
import crypto from "node:crypto";
import client from "prom-client";
import type { Db } from "./prisma";

type Metrics = { registry: client.Registry };
const holder = globalThis as typeof globalThis & { financeEmailMetrics?: Metrics };

/** The settings' states as metric labels. */
const STATES = { UNTESTED: "untested", WORKING: "working", FAILING: "failing", NOT_SET_UP: "not_set_up" } as const;

export function metrics(db: Db): Metrics {
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
      for (const row of rows) this.set({ state: STATES[row.status as keyof typeof STATES] ?? "untested" }, row._count._all);
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
  holder.financeEmailMetrics = { registry };
  return holder.financeEmailMetrics;
}

/** Compares a presented bearer token with METRICS_TOKEN in constant time. */
export function metricsTokenMatches(expected: string, authorization: string | null): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim() ?? "";
  const digest = (text: string) => crypto.createHash("sha256").update(text).digest();
  return presented !== "" && crypto.timingSafeEqual(digest(presented), digest(expected));
}
