// `npm run worker`: the scheduled account checks without the web server, for deployments that run the web
// instances with WORKER=off. On PostgreSQL any number of these can run beside each other (pg-boss shares the work);
// on SQLite run one, and set WORKER=off on the web process, so there is one scheduler.
// Start it with npm run: the lib modules import "server-only", which loads only under the react-server condition the npm script passes to Node.
import { EnvError, loadEnv } from "../lib/env";
import { createPrismaClient } from "../lib/prisma";
import { startWatching } from "../lib/watch/start";

async function main() {
  const env = loadEnv();
  const db = createPrismaClient(env.database, env.databaseTimeouts);
  const watcher = await startWatching(db, env);
  console.log(
    `Scheduled checks running (${watcher.kind === "queue" ? "pg-boss on PostgreSQL" : "in-process on SQLite"}): every ${env.watch.intervalMinutes} min, ${env.watch.concurrency} at once.`,
  );
  const stop = async () => {
    await watcher.stop();
    await db.$disconnect();
    process.exit(0);
  };
  // A failed stop is an unhandled rejection, which ends the process with the error, as before.
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void stop());
}

main().catch((err) => {
  // A configuration problem lists every variable to fix; anything else is one line.
  console.error(err instanceof EnvError ? err.message : `worker: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
