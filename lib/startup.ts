// Start-up check for the Node.js server (loaded from instrumentation.ts): a bad or missing configuration
// stops the process with a message naming each variable, instead of failing on the first request. Until the first
// run is done, it prints the one-time setup token /setup asks for (in the embedded default, of browsers elsewhere).
import { PHASE_PRODUCTION_BUILD } from "next/constants";
import { db } from "./db";
import { env, EnvError } from "./env";
import { isSetupComplete } from "./setup";
import { expectedSetupToken } from "./setup-token";
import { startWatching } from "./watch/start";

try {
  env();
} catch (err) {
  if (err instanceof EnvError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const config = env();
const hosted = config.isProduction && !config.embedded;
if (!config.setupToken && process.env.NEXT_PHASE !== PHASE_PRODUCTION_BUILD) {
  isSetupComplete(db).then(
    (complete) => {
      if (!complete)
        console.log(
          `First run: open /setup and enter this setup token: ${expectedSetupToken(config)}${hosted ? "" : " (a browser on this machine itself needs none)"}`,
        );
    },
    () =>
      console.error(
        "First run: the database did not answer, so the setup token was not printed. Restart when it is up.",
      ),
  );
}

// The scheduled account checks run in every instance unless WORKER=off (then `npm run worker` runs them elsewhere).
// Never while `next build` prerenders pages (it may load this file too).
if (config.watch.worker && process.env.NEXT_PHASE !== PHASE_PRODUCTION_BUILD) {
  startWatching(db, config).then(
    (watcher) => {
      for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void watcher.stop());
    },
    (err) =>
      console.error(
        `Scheduled checks could not start: ${err instanceof Error ? err.message : err}. If the job queue is missing, run npm run db:migrate.`,
      ),
  );
}
