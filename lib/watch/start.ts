// Starts the scheduled checks for this process: pg-boss workers on PostgreSQL, the in-process loop on SQLite.
// `npm start` calls it unless WORKER=off; `npm run worker` runs it without the web server.
import "server-only";
import type { Env } from "../env";
import { appDnsResolver } from "../deliverability/domain-checks";
import { settingsKeyring } from "../secrets/keyring";
import { nameLookup } from "../net/address-guard";
import { postgresSsl, withoutSslParams } from "../database-url";
import type { Db } from "../prisma";
import { startLocalScheduler } from "./local-scheduler";
import { startQueueWorker } from "./queue";
import type { WatchDeps } from "./run-check";
import { intervalMs } from "./schedule";

/** The page every alert links to: APP_URL's, else this server's own address. */
export function financeEmailPageUrl(e: Env): string {
  const base = e.oauth.appUrl ?? `http://localhost:${e.port}`;
  return `${base}/settings/email`;
}

export function watchDeps(db: Db, e: Env): WatchDeps {
  // SMTP servers and webhooks are looked up as the system would (hosts file, then DNS_SERVERS or the system's DNS).
  const lookup = nameLookup(e.nameSources);
  return {
    db,
    // The same getter web requests use: after keys:rotate rewrites data/secrets.json, the next check reads the new keys.
    keyring: settingsKeyring(),
    budgetMs: e.smtpTestBudgetMs,
    allowPrivate: e.SMTP_ALLOW_PRIVATE_NETWORKS,
    lookup,
    oauth: e.oauth,
    systemMail: e.systemMail,
    pageUrl: financeEmailPageUrl(e),
    network: { ...e.webhooks, lookup },
    intervalMs: intervalMs(e.watch.intervalMinutes),
    concurrency: e.watch.concurrency,
    dns: appDnsResolver(e.dnsServers),
  };
}

export type Watcher = { kind: "queue" | "local"; stop(): Promise<void> };

export async function startWatching(db: Db, e: Env): Promise<Watcher> {
  const deps = watchDeps(db, e);
  if (e.database.provider === "postgresql") {
    const worker = await startQueueWorker(deps, {
      connectionString: withoutSslParams(e.database.url),
      ssl: postgresSsl(e.database.url) || undefined,
    });
    return { kind: "queue", stop: () => worker.stop() };
  }
  const scheduler = startLocalScheduler(deps);
  return { kind: "local", stop: () => scheduler.stop() };
}
