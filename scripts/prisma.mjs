#!/usr/bin/env node
// Runs the Prisma CLI offline: sets the variables that stop it (and Next) calling home, and gives it the same
// default DATABASE_URL as the app. Usage: node scripts/prisma.mjs <prisma args>
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  DATABASE_URL: process.env.DATABASE_URL || "file:./data/app.db",
};
const bin = path.join(root, "node_modules", "prisma", "build", "index.js");
const args = process.argv.slice(2);

// `generate` makes the clients of both providers: the app picks one at run time from DATABASE_URL.
if (args.length === 1 && args[0] === "generate") {
  for (const url of ["file:./data/app.db", "postgresql://placeholder@localhost:5432/placeholder"]) {
    const result = spawnSync(process.execPath, [bin, "generate"], {
      cwd: root,
      env: { ...env, DATABASE_URL: url },
      stdio: "inherit",
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  process.exit(0);
}

const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ["inherit", "pipe", "inherit"] });

// With PostgreSQL, `migrate deploy` keeps a connection open for about 10 s after it has finished (the JS schema
// engine does not close its pool). Once it has printed its final verdict there is nothing left to do: stop it.
const DONE = /All migrations have been successfully applied|No pending migrations to apply/;
let finished = false;
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!finished && DONE.test(String(chunk))) {
    finished = true;
    setTimeout(() => child.kill("SIGTERM"), 300).unref();
  }
});
child.on("exit", async (code, signal) => {
  const ok = finished && signal === "SIGTERM" ? true : code === 0;
  if (!ok) process.exit(code ?? 1);
  if (args[0] === "migrate" && args[1] === "deploy" && /^postgres(ql)?:/.test(env.DATABASE_URL))
    await installJobQueue();
  process.exit(0);
});

// The scheduled checks' job queue (pg-boss) keeps its tables in its own schema of the same database. It is created
// and upgraded here, with the app's own migrations, so the web process never changes the schema by itself.
async function installJobQueue() {
  const { PgBoss } = await import("pg-boss");
  const boss = new PgBoss({
    connectionString: env.DATABASE_URL,
    schema: "pgboss",
    migrate: true,
    supervise: false,
    schedule: false,
    max: 1,
  });
  boss.on("error", () => undefined);
  try {
    await boss.start();
    console.log("The job queue (pg-boss, schema pgboss) is up to date.");
  } catch (err) {
    console.error(`Could not install the job queue (pg-boss): ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  } finally {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
  }
  if (process.exitCode) process.exit(process.exitCode);
}
