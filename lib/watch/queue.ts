// The scheduled checks on PostgreSQL, with pg-boss (a job queue in the same database, no new server). A schedule
// runs the fan-out once a minute across the deployment; it queues one job per account that is due, whose id comes
// from a singleton key per account and period (or per save), so a second fan-out, or a second instance, queues the
// same job again and the database keeps one: each account is checked once per period however many instances run.
// Every instance works the queue: CHECK_CONCURRENCY at once here, and at most 5 at once per SMTP host across all
// instances (pg-boss's group concurrency, made exact by the host slots in the database: lib/watch/host-slots.ts).
import "server-only";
import { PgBoss } from "pg-boss";
import { v5 as uuidV5 } from "uuid";
import { deliverAlerts } from "./alert-outbox";
import { takeHostSlot } from "./host-slots";
import { checkCandidates, checkedRecently, dueChecks } from "./schedule";
import { PER_HOST_CONCURRENCY, pruneHistory, runScheduledCheck, type WatchDeps } from "./run-check";

export const CHECK_QUEUE = "account-check";
export const FAN_OUT_QUEUE = "account-check-fan-out";
export const PRUNE_QUEUE = "watch-prune";

/** The UUID namespace of check job ids. Never change it: every instance must derive the same id for a key. */
const CHECK_JOB_NAMESPACE = "492e77a1-0e10-48bc-a075-82ac81b2b315";

/** A job id that is the same for the same singleton key (an RFC 9562 version 5 UUID of the key). */
export function jobIdFor(singletonKey: string): string {
  return uuidV5(singletonKey, CHECK_JOB_NAMESPACE);
}

/** afterSave: the check 2 minutes after a save (always runs); otherwise a period's check. */
type CheckJob = { orgId: string; host: string; afterSave?: boolean };

/** How long a check waits for one of its host's 5 slots before it is left for the next period. */
const HOST_SLOT_WAIT_MS = 60_000;

/**
 * Queues the checks due at `now` (and the after-save checks due within the next minute, to start on time). Safe to
 * run from any number of instances at once. Returns how many jobs were new.
 */
export async function fanOut(
  boss: PgBoss,
  deps: Pick<WatchDeps, "db" | "intervalMs" | "budgetMs">,
  now = new Date(),
): Promise<number> {
  const due = dueChecks(await checkCandidates(deps.db), deps.intervalMs, now, 60_000);
  let queued = 0;
  for (let i = 0; i < due.length; i += 1000) {
    const ids = await boss.insert(
      CHECK_QUEUE,
      due.slice(i, i + 1000).map((d) => ({
        id: jobIdFor(d.key),
        singletonKey: d.key,
        data: { orgId: d.orgId, host: d.host, afterSave: d.key.includes(":save:") } satisfies CheckJob,
        // A period's check is due now; an after-save check may wait for its time.
        startAfter: d.startAfter.getTime() > now.getTime() ? d.startAfter : undefined,
        group: { id: d.host.toLowerCase() },
      })),
      { returnId: true },
    );
    queued += ids?.length ?? 0;
  }
  return queued;
}

async function checkedWithinHalfPeriod(
  deps: Pick<WatchDeps, "db" | "clock" | "intervalMs">,
  orgId: string,
): Promise<boolean> {
  const row = await deps.db.emailSettings.findUnique({ where: { orgId }, select: { lastCheckAt: true } });
  return checkedRecently(row?.lastCheckAt ?? null, deps.intervalMs, deps.clock?.() ?? new Date());
}

export type QueueWorker = {
  boss: PgBoss;
  /** Check jobs queued or running now. */
  inFlight(): Promise<number>;
  stop(): Promise<void>;
};

export async function startQueueWorker(
  deps: WatchDeps,
  options: {
    connectionString: string;
    ssl?: unknown;
    /** Run the once-a-minute fan-out and the daily prune on pg-boss's schedule (tests call fanOut themselves). */
    schedule?: boolean;
    /** Work the check queue in this process (false: only queue). */
    work?: boolean;
    onError?: (err: unknown) => void;
  },
): Promise<QueueWorker> {
  const onError = options.onError ?? ((err) => console.error("Scheduled checks:", err));
  // migrate: false: the queue's schema is installed by `npm run db:migrate` with the app's own migrations.
  const boss = new PgBoss({
    connectionString: options.connectionString,
    ssl: options.ssl,
    schema: "pgboss",
    migrate: false,
    max: 4,
    application_name: "finance-email-worker",
  });
  boss.on("error", onError);
  await boss.start();

  const budgetSeconds = Math.ceil(deps.budgetMs / 1000);
  const existing = new Set((await boss.getQueues([CHECK_QUEUE, FAN_OUT_QUEUE, PRUNE_QUEUE])).map((q) => q.name));
  // A check that overruns its budget expires and is not retried: the next period checks the account again. Jobs
  // are kept two periods (at least two days) so a finished period's job id still stops a duplicate.
  if (!existing.has(CHECK_QUEUE)) {
    await boss.createQueue(CHECK_QUEUE, {
      retryLimit: 0,
      expireInSeconds: budgetSeconds + HOST_SLOT_WAIT_MS / 1000 + 15,
      deleteAfterSeconds: Math.max(2 * 86_400, Math.ceil((2 * deps.intervalMs) / 1000)),
    });
  }
  if (!existing.has(FAN_OUT_QUEUE))
    await boss.createQueue(FAN_OUT_QUEUE, { policy: "singleton", retryLimit: 0, expireInSeconds: 120 });
  if (!existing.has(PRUNE_QUEUE))
    await boss.createQueue(PRUNE_QUEUE, { policy: "singleton", retryLimit: 1, expireInSeconds: 600 });

  if (options.schedule !== false) {
    await boss.schedule(FAN_OUT_QUEUE, "* * * * *");
    await boss.schedule(PRUNE_QUEUE, "17 3 * * *");
  }
  if (options.work !== false) {
    await boss.work(FAN_OUT_QUEUE, async () => {
      const now = deps.clock?.() ?? new Date();
      await fanOut(boss, deps, now);
      await deliverAlerts(deps, { now }); // retries of failed deliveries
    });
    await boss.work(PRUNE_QUEUE, async () => {
      await pruneHistory(deps);
    });
    await boss.work<CheckJob>(
      CHECK_QUEUE,
      // burstWhenReadyExceeds: while a backlog waits, a worker that finishes fetches the next job at once instead
      // of after its polling interval, which would otherwise cap a backlog at one check per worker per second.
      {
        localConcurrency: deps.concurrency,
        groupConcurrency: PER_HOST_CONCURRENCY,
        batchSize: 1,
        pollingIntervalSeconds: 1,
        burstWhenReadyExceeds: 1,
      },
      async ([job]) => {
        // A period's job can wait in a backlog while the same account's next slot queues another: the later one is
        // left out if the account was checked within the last half period.
        if (!job.data.afterSave && (await checkedWithinHalfPeriod(deps, job.data.orgId))) return;
        const slot = await takeHostSlot(deps.db, job.data.host, {
          limit: PER_HOST_CONCURRENCY,
          leaseMs: deps.budgetMs + 15_000,
          waitMs: HOST_SLOT_WAIT_MS,
        });
        // The host stayed busy for a minute: this period's check is given up (the next period checks it again).
        if (!slot) return;
        try {
          await runScheduledCheck(deps, job.data.orgId);
        } finally {
          await slot.release();
        }
      },
    );
  }
  return {
    boss,
    async inFlight() {
      const result = await boss
        .getDb()
        .executeSql(
          "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')",
          [CHECK_QUEUE],
        );
      return (result.rows[0] as { n: number }).n;
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: deps.budgetMs + 5_000 });
    },
  };
}
