// The scheduled checks on SQLite (the embedded default: one machine, one process): the same job code as the
// PostgreSQL queue, run from a loop in the web process. One process, one scheduler, so no locking of its own:
// the limits (CHECK_CONCURRENCY, 5 per SMTP host) are counted in memory.
import "server-only";
import { deliverAlerts } from "./alert-outbox";
import { checkCandidates, dueChecks, type DueCheck } from "./schedule";
import { PER_HOST_CONCURRENCY, pruneHistory, runScheduledCheck, type WatchDeps } from "./run-check";

export type LocalScheduler = {
  /** Looks for due checks and retries now (the loop also does, every tickMs). Resolves when the scan is done. */
  tick(): Promise<void>;
  /** Resolves when no check is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

export function startLocalScheduler(
  deps: WatchDeps,
  options: { tickMs?: number; onError?: (err: unknown) => void } = {},
): LocalScheduler {
  const clock = deps.clock ?? (() => new Date());
  const onError = options.onError ?? ((err) => console.error("Scheduled checks:", err));
  const running = new Map<string, Promise<void>>();
  const perHost = new Map<string, number>();
  let waiting: DueCheck[] = [];
  let lastPrune = 0;
  let stopped = false;

  // A check that overruns its budget is abandoned (its slot freed); the next period checks the account again.
  const abandonAfterMs = deps.budgetMs + 10_000;

  function pump() {
    while (!stopped && running.size < deps.concurrency) {
      const index = waiting.findIndex(
        (d) => !running.has(d.orgId) && (perHost.get(d.host.toLowerCase()) ?? 0) < PER_HOST_CONCURRENCY,
      );
      if (index < 0) return;
      const [next] = waiting.splice(index, 1);
      const host = next.host.toLowerCase();
      perHost.set(host, (perHost.get(host) ?? 0) + 1);
      let timer: NodeJS.Timeout | undefined;
      const job = Promise.race([
        runScheduledCheck(deps, next.orgId, clock()).then(() => undefined),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, abandonAfterMs))),
      ])
        .catch(onError)
        .finally(() => {
          clearTimeout(timer);
          running.delete(next.orgId);
          perHost.set(host, (perHost.get(host) ?? 1) - 1);
          pump();
        });
      running.set(next.orgId, job);
    }
  }

  async function tick() {
    if (stopped) return;
    try {
      const now = clock();
      waiting = dueChecks(await checkCandidates(deps.db), deps.intervalMs, now).filter((d) => !running.has(d.orgId));
      pump();
      await deliverAlerts(deps, { now });
      if (now.getTime() - lastPrune > 3_600_000) {
        lastPrune = now.getTime();
        await pruneHistory(deps, now);
      }
    } catch (err) {
      onError(err);
    }
  }

  const interval = setInterval(() => void tick(), options.tickMs ?? 10_000);
  interval.unref();
  void tick();

  return {
    tick,
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
    async stop() {
      stopped = true;
      clearInterval(interval);
      await Promise.all(running.values());
    },
  };
}
