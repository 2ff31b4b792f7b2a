// Benchmark: `npm run bench:watch`. The scheduled account checks (lib/watch) on PostgreSQL at scale:
//   1. a fresh database with BENCH_ACCOUNTS organisations (default 10,000), each with an owner and a saved account
//      (password encrypted with the keyring as the app saves it), all due at once (never checked: the worst burst);
//   2. the SMTP stand-in (stand-ins/smtp-test-server.ts: smtp-server with the test CA's certificate) holding every
//      reply BENCH_REPLY_DELAY_MS (default 100 ms; the greeting at least smtp-server's own 100 ms): greeting, EHLO,
//      STARTTLS, EHLO, AUTH, QUIT, about 0.6 s a session (a check's recorded duration ends when it sends QUIT, so
//      about 0.5 s), on 127.0.0.1 … 127.0.0.8 with the accounts spread over those 8 hosts (the watch allows at most
//      5 checks at once per SMTP host, so one host alone would bound the run);
//   3. a lone check (the median of 5, after 2 warm-ups) through the job's own code, in this process;
//   4. phase "one": one `npm run worker` with the default limits, until every account is checked: the time, checks
//      per second, p50 and p99 check duration against the lone check, peak RSS, peak database connections;
//   5. phase "two": the same period again with two `npm run worker` at once: is any account checked twice?
//   6. phase "single-host": BENCH_SINGLE_HOST_ACCOUNTS (default 300) accounts all on one host, with
//      BENCH_SINGLE_HOST_INSTANCES workers (default 2): checks per second and the most sessions the server saw at
//      once on that host (the cap is 5).
// Every phase also reports how many check jobs were active at once on average (from the jobs' own start and end
// times) and the CPU that other processes on the machine used meanwhile (above 10 %: not representative).
// The job also checks each From domain's DNS once a week (an organisation's first check always does): the workers
// ask the DNS stand-in (stand-ins/dns-test-server.ts, DNS_SERVERS) with an empty zone, which answers every query
// NXDOMAIN after BENCH_DNS_DELAY_MS.
// Knobs: BENCH_ACCOUNTS (10000), BENCH_REPLY_DELAY_MS (100), BENCH_SINGLE_HOST_ACCOUNTS (300),
// BENCH_SINGLE_HOST_INSTANCES (2), BENCH_DNS_DELAY_MS (0), BENCH_PHASES (one,two,single-host),
// BENCH_PHASE_TIMEOUT_MINUTES (20: a phase is given up after this), BENCH_POSTGRES_URL (an admin URL, default
// postgresql://postgres@127.0.0.1:5432/postgres). The database is dropped at the end, also on failure or Ctrl-C.
// Goals are reported, not asserted: the script exits 0 whether they are met or not.
// Start it with npm run: the lib modules import "server-only", which loads only under the react-server condition
// the npm script passes to Node.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import tls from "node:tls";
import pg from "pg";
import { createKeyring, keyFromBase64 } from "../lib/secrets/crypto";
import { parseDatabaseUrl } from "../lib/database-url";
import { passwordAad } from "../lib/secrets/bindings";
import { loadEnv } from "../lib/env";
import { createPrismaClient, type Db } from "../lib/prisma";
import { CHECK_QUEUE } from "../lib/watch/queue";
import { PER_HOST_CONCURRENCY, runScheduledCheck } from "../lib/watch/run-check";
import { currentSlot } from "../lib/watch/schedule";
import { watchDeps } from "../lib/watch/start";
import { startTestDnsServer, type TestDnsServer } from "../stand-ins/dns-test-server";
import { startTestSmtpServer, type TestSmtpServer } from "../stand-ins/smtp-test-server";
import { adminQuery, POSTGRES_ADMIN_URL } from "./bench-postgres";

const ROOT = path.resolve(__dirname, "..");

function intKnob(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  const value = text ? Number(text) : fallback;
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be a whole number of at least ${min} (got ${JSON.stringify(text)})`);
    process.exit(2);
  }
  return value;
}

const ACCOUNTS = intKnob("BENCH_ACCOUNTS", 10_000, 1);
const REPLY_DELAY_MS = intKnob("BENCH_REPLY_DELAY_MS", 100, 0);
const SINGLE_HOST_ACCOUNTS = intKnob("BENCH_SINGLE_HOST_ACCOUNTS", 300, 1);
/** Two by default: the cap is the deployment's, so it is measured across instances. */
const SINGLE_HOST_INSTANCES = intKnob("BENCH_SINGLE_HOST_INSTANCES", 2, 1);
const PHASE_TIMEOUT_MS = intKnob("BENCH_PHASE_TIMEOUT_MINUTES", 20, 1) * 60_000;
const DNS_DELAY_MS = intKnob("BENCH_DNS_DELAY_MS", 0, 0);
type PhaseName = "one" | "two" | "single-host";
const PHASES = (process.env.BENCH_PHASES || "one,two,single-host")
  .split(",")
  .map((p) => p.trim())
  .filter(Boolean) as PhaseName[];
for (const p of PHASES) {
  if (!["one", "two", "single-host"].includes(p)) {
    console.error(`BENCH_PHASES lists one, two and single-host, comma-separated (got ${JSON.stringify(p)})`);
    process.exit(2);
  }
}

/** The SMTP hosts: every 127.x address is loopback on Linux, so 8 hosts need no setup. */
const HOSTS = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
const SINGLE_HOST = HOSTS[0];
const LONE_WARM_UP = 2;
const LONE_CHECKS = 5;
/** After the last account is checked, wait at most this long for jobs still queued (a new period's) to finish. */
const DRAIN_MS = 60_000;
/** A phase ends early when no job has been left to run for this long (longer than the fan-out's minute). */
const STALL_MS = 75_000;

// The goals.
const GOAL_ALL_CHECKED_MS = 10 * 60_000;
const GOAL_P99_RATIO = 1.5;
const GOAL_RSS_MB = 300;

const log = (line: string) => console.log(line);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const seconds = (ms: number) => round(ms / 1000, 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// ---------------------------------------------------------------------------------------------------------------
// Clean-up, also on Ctrl-C: workers stopped, database dropped, temporary folder removed

const cleanups: (() => unknown)[] = [];
let cleaningUp: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`clean-up: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return cleaningUp;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the workers and dropping the benchmark database…`);
    void cleanUp().then(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The database: fresh, migrated, seeded in batches

async function createDatabase(): Promise<{ url: string; name: string }> {
  const name = `fes_bench_watch_${crypto.randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  cleanups.push(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    log(`dropped database ${name}`);
  });
  const u = new URL(POSTGRES_ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  execFileSync(process.execPath, [path.join(ROOT, "scripts/prisma.mjs"), "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: "pipe",
  });
  return { url, name };
}

type SeedOptions = {
  keyringKey: string;
  count: number;
  label: "org" | "single";
  hostOf: (i: number) => string;
  smtp: TestSmtpServer;
};

/** `count` organisations, each with an owner and a saved account on `hostOf(i)`, never checked. */
async function seed(db: Db, { keyringKey, count, label, hostOf, smtp }: SeedOptions) {
  const keyring = createKeyring([keyFromBase64(keyringKey)]);
  const savedAt = new Date();
  for (let start = 0; start < count; start += 1000) {
    const orgs = [];
    const users = [];
    const memberships = [];
    const settings = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const orgId = crypto.randomUUID();
      const userId = crypto.randomUUID();
      const address = `finance@${label}${i}.example`;
      orgs.push({ id: orgId, name: `Bench ${label} ${i}` });
      users.push({
        id: userId,
        email: `owner@${label}${i}.example`,
        name: `Owner ${i}`,
        passwordHash: "not-a-password-hash",
      });
      memberships.push({ userId, orgId, role: "OWNER" as const });
      settings.push({
        orgId,
        provider: "custom",
        host: hostOf(i),
        port: smtp.starttlsPort,
        security: "starttls" as const,
        username: address,
        passwordCiphertext: keyring.encrypt(smtp.password, passwordAad(orgId)),
        passwordKeyId: keyring.currentKeyId,
        passwordSavedAt: savedAt,
        fromName: "Finance",
        fromAddress: address,
        status: "WORKING" as const,
        lastCheckAt: null,
        checkDueAt: null,
      });
    }
    await db.organisation.createMany({ data: orgs });
    await db.user.createMany({ data: users });
    await db.membership.createMany({ data: memberships });
    await db.emailSettings.createMany({ data: settings });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Processes: the workers, their memory, the machine's CPU

/** parent pid, process group and CPU ticks (utime + stime) of every process, and its command name. */
function processTable(): Map<number, { ppid: number; pgrp: number; ticks: number; comm: string }> {
  const table = new Map<number, { ppid: number; pgrp: number; ticks: number; comm: string }>();
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const f = stat.slice(close + 2).split(" ");
      table.set(Number(p), { ppid: Number(f[1]), pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]), comm });
    } catch {
      // ended meanwhile
    }
  }
  return table;
}

function descendants(root: number, table: ReturnType<typeof processTable>): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, p] of table) if (p.ppid === tree[i]) tree.push(pid);
  return tree.filter((pid) => table.has(pid));
}

function vmRssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Which part of `npm run worker` a process is. */
function describe(pid: number): string {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    if (cmd.includes("scripts/worker.ts")) {
      if (/^(\/bin\/)?sh /.test(cmd)) return "sh";
      if (/\.bin\/tsx |tsx\/dist\/cli\.mjs/.test(cmd)) return "tsx cli";
      return "worker";
    }
    if (/\bnpm\b|npm-cli/.test(cmd)) return "npm";
    return cmd.slice(0, 40);
  } catch {
    return "?";
  }
}

type Worker = { child: ChildProcess; pid: number; startedAt: number; logFile: string; exited: Promise<number | null> };

function startWorker(env: NodeJS.ProcessEnv, logFile: string): Worker {
  const out = fs.openSync(logFile, "w");
  // As an operator starts it: npm run worker (tsx, under the react-server condition), in its own process group.
  const child = spawn("npm", ["run", "--silent", "worker"], {
    cwd: ROOT,
    detached: true,
    env,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, pid: child.pid!, startedAt: Date.now(), logFile, exited };
}

async function stopWorker(w: Worker) {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-w.pid, sig);
    } catch {
      // gone
    }
  };
  signal("SIGTERM");
  // A graceful stop waits for the checks in flight (at most the 15 s budget and 5 s more).
  const done = await Promise.race([w.exited.then(() => true), sleep(30_000).then(() => false)]);
  for (let i = 0; i < 20; i++) {
    const left = [...processTable()].filter(([, p]) => p.pgrp === w.pid);
    if (left.length === 0) return;
    await sleep(250);
  }
  if (!done) log(`worker ${w.pid} did not stop within 30 s: killed`);
  signal("SIGKILL");
  await sleep(500);
}

/**
 * Peak resident memory of each worker's process tree (npm, sh, tsx's launcher, the worker's node process): each
 * process on its own, and the tree's total, sampled every 250 ms (the tree rescanned every 2 s).
 */
function rssSampler(roots: number[]) {
  const trees = new Map<number, number[]>();
  const peakByPid = new Map<number, { kb: number; label: string; root: number }>();
  const peakTreeKb = new Map<number, number>();
  let peakAllKb = 0;
  const scan = () => {
    const table = processTable();
    for (const root of roots) {
      const tree = descendants(root, table);
      trees.set(root, tree);
      for (const pid of tree) {
        const known = peakByPid.get(pid);
        // Labelled again on every scan: a process just forked still shows its parent's command line.
        if (known) known.label = describe(pid);
        else peakByPid.set(pid, { kb: 0, label: describe(pid), root });
      }
    }
  };
  const sample = () => {
    let all = 0;
    for (const root of roots) {
      let sum = 0;
      for (const pid of trees.get(root) ?? []) {
        const kb = vmRssKb(pid);
        sum += kb;
        const peak = peakByPid.get(pid);
        if (peak && kb > peak.kb) peak.kb = kb;
      }
      peakTreeKb.set(root, Math.max(peakTreeKb.get(root) ?? 0, sum));
      all += sum;
    }
    peakAllKb = Math.max(peakAllKb, all);
  };
  scan();
  const timers = [setInterval(sample, 250), setInterval(scan, 2_000)];
  return {
    stop: () => timers.forEach(clearInterval),
    /** The worker's own node process (the one that runs scripts/worker.ts), per instance. */
    workerMb: (root: number) =>
      round(
        Math.max(
          0,
          ...[...peakByPid.values()].filter((p) => p.root === root && p.label === "worker").map((p) => p.kb),
        ) / 1024,
      ),
    treeMb: (root: number) => round((peakTreeKb.get(root) ?? 0) / 1024),
    allMb: () => round(peakAllKb / 1024),
    perProcess: (root: number) =>
      [...peakByPid.values()]
        .filter((p) => p.root === root && p.kb > 0)
        .map((p) => `${p.label} ${round(p.kb / 1024)} MB`)
        .join(", "),
  };
}

/** Shares of all CPU time during a phase: the workers, PostgreSQL, this process (the SMTP server), everything else. */
function cpuMeter(workerRoots: number[]) {
  const machine = () => {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { total, busy: total - f[3] - f[4] };
  };
  const m0 = machine();
  const t0 = processTable();
  const workerPids = new Set<number>();
  const remember = () => {
    const table = processTable();
    for (const root of workerRoots) for (const pid of descendants(root, table)) workerPids.add(pid);
  };
  remember();
  const timer = setInterval(remember, 2_000);
  return () => {
    clearInterval(timer);
    remember();
    const m1 = machine();
    const t1 = processTable();
    const used = { workers: 0, postgres: 0, bench: 0 };
    for (const [pid, p] of t1) {
      const delta = p.ticks - (t0.get(pid)?.ticks ?? 0);
      if (workerPids.has(pid)) used.workers += delta;
      else if (p.comm === "postgres") used.postgres += delta;
      else if (pid === process.pid) used.bench += delta;
    }
    const total = Math.max(1, m1.total - m0.total);
    const share = (ticks: number) => round((100 * ticks) / total);
    return {
      workers: share(used.workers),
      postgres: share(used.postgres),
      bench: share(used.bench),
      others: Math.max(0, share(m1.busy - m0.busy - used.workers - used.postgres - used.bench)),
      idle: share(total - (m1.busy - m0.busy)),
    };
  };
}

/** The database connections the phase uses (this script's own sampling connection excluded), every 250 ms. */
function connectionSampler(client: pg.Client, dbName: string) {
  let peak = 0;
  const peakByApp = new Map<string, number>();
  let running = false;
  const sample = async () => {
    if (running) return;
    running = true;
    try {
      const { rows } = await client.query<{ app: string; n: number }>(
        `SELECT coalesce(nullif(application_name, ''), '(no name: Prisma)') AS app, count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY 1`,
        [dbName],
      );
      peak = Math.max(
        peak,
        rows.reduce((a, r) => a + r.n, 0),
      );
      for (const r of rows) peakByApp.set(r.app, Math.max(peakByApp.get(r.app) ?? 0, r.n));
    } catch {
      // the database is going away
    } finally {
      running = false;
    }
  };
  // sample() catches its own errors, and `running` keeps a slow sample from overlapping the next one.
  const timer = setInterval(() => void sample(), 250);
  return {
    stop: () => clearInterval(timer),
    peak: () => peak,
    byApp: () =>
      [...peakByApp].map(([app, n]) => `${app === "finance-email-worker" ? "pg-boss" : app} ${n}`).join(", "),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One phase: reset the period, start the workers, wait until every account is checked, measure

type PhaseResult = {
  name: PhaseName;
  instances: number;
  accounts: number;
  completed: boolean;
  checks: number;
  distinct: number;
  failed: number;
  failedSample: string[];
  fanOutAfterMs: number;
  firstCheckAfterMs: number;
  allCheckedAfterMs: number;
  firstToLastMs: number;
  checksPerSecond: number;
  p50: number;
  p99: number;
  maxMs: number;
  workerRssMb: number[];
  treeRssMb: number[];
  allRssMb: number;
  rssDetail: string[];
  peakConnections: number;
  connectionsByApp: string;
  peakOpenPerHost: number;
  peakTalkingPerHost: number;
  peakOpenAll: number;
  peakJobsPerHost: number;
  failedJobs: number;
  failedJobSample: string[];
  /** Jobs that completed without a check (the host's slots stayed taken for their whole wait). */
  givenUpJobs: number;
  /** Check jobs running at once, on average from the first check to the last. */
  meanRunning: number;
  serverLogins: number;
  dnsQueries: number;
  failedLogins: number;
  /** Accounts with more than one check: for the same period's job (a duplicate), or because their next slot came. */
  twice: number;
  sameKeyTwice: number;
  newPeriodTwice: number;
  sameClockPeriodTwice: number;
  jobsRun: number;
  cpu: ReturnType<ReturnType<typeof cpuMeter>>;
  workerErrors: string[];
};

type Context = {
  dns: TestDnsServer;
  url: string;
  dbName: string;
  client: pg.Client;
  smtp: TestSmtpServer;
  workerEnv: NodeJS.ProcessEnv;
  dir: string;
  intervalMs: number;
};

async function jobStates(client: pg.Client): Promise<Record<string, number>> {
  const { rows } = await client.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM pgboss.job WHERE name = $1 GROUP BY 1`,
    [CHECK_QUEUE],
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

async function resetPeriod(ctx: Context, singleHost: boolean) {
  const { client } = ctx;
  await client.query(`DELETE FROM pgboss.job WHERE name = $1`, [CHECK_QUEUE]);
  // No worker runs now: every host slot (lib/watch/host-slots.ts) is free.
  if ((await client.query<{ t: string | null }>(`SELECT to_regclass('"HostSlot"') AS t`)).rows[0].t) {
    await client.query(`UPDATE "HostSlot" SET holder = NULL, "leaseUntil" = 'epoch'`);
  }
  await client.query(`DELETE FROM "AccountCheck"`);
  // Every phase starts with no domain checked, so each first check also checks its domain (the worst case).
  if ((await client.query<{ t: string | null }>(`SELECT to_regclass('"DomainCheck"') AS t`)).rows[0].t)
    await client.query(`DELETE FROM "DomainCheck"`);
  await client.query(`DELETE FROM "AlertDelivery"`);
  // The phase's accounts are due (never checked), the others are switched off (NOT_SET_UP: not checked at all).
  await client.query(
    `UPDATE "EmailSettings" SET "lastCheckAt" = NULL, "checkDueAt" = NULL, "checkFailures" = 0, "failingSince" = NULL, "alertOpenSince" = NULL,
       "lastAlertAt" = NULL, status = CASE WHEN (username LIKE 'finance@single%') = $1 THEN 'WORKING' ELSE 'NOT_SET_UP' END::"SettingsStatus"`,
    [singleHost],
  );
}

async function runPhase(ctx: Context, name: PhaseName): Promise<PhaseResult> {
  const singleHost = name === "single-host";
  const instances = name === "one" ? 1 : name === "two" ? 2 : SINGLE_HOST_INSTANCES;
  const accounts = singleHost ? SINGLE_HOST_ACCOUNTS : ACCOUNTS;
  const { client, smtp } = ctx;
  log(
    `\n== phase ${name}: ${accounts} accounts${singleHost ? ` all on ${SINGLE_HOST}` : ` over ${HOSTS.length} hosts`}, ${instances} worker${instances > 1 ? "s" : ""} ==`,
  );
  await resetPeriod(ctx, singleHost);
  smtp.reset();
  const dnsQueriesBefore = ctx.dns.queries.length;

  const workers: Worker[] = [];
  const started = Date.now();
  for (let i = 0; i < instances; i++)
    workers.push(startWorker(ctx.workerEnv, path.join(ctx.dir, `worker-${name}-${i + 1}.log`)));
  const stopAll = () => Promise.all(workers.map(stopWorker));
  cleanups.push(stopAll);
  const rss = rssSampler(workers.map((w) => w.pid));
  const cpu = cpuMeter(workers.map((w) => w.pid));
  const connections = connectionSampler(client, ctx.dbName);

  let completed = false;
  let cpuShares: PhaseResult["cpu"] | undefined;
  let lastReport = Date.now();
  let idleSince: number | undefined;
  try {
    for (;;) {
      const { rows } = await client.query<{ n: number; d: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT "orgId")::int AS d FROM "AccountCheck"`,
      );
      const { n, d } = rows[0];
      if (d >= accounts) {
        completed = true;
        break;
      }
      for (const w of workers) {
        if (w.child.exitCode !== null)
          throw new Error(`a worker exited with code ${w.child.exitCode}:\n${tail(w.logFile)}`);
      }
      if (Date.now() - started > PHASE_TIMEOUT_MS) {
        log(
          `GAVE UP phase ${name} after ${PHASE_TIMEOUT_MS / 60_000} min: ${d} of ${accounts} accounts checked (${n} checks)`,
        );
        break;
      }
      // Every job has ended but some accounts were not checked (a job failed, or gave up waiting for its host):
      // nothing will check them in this period, so the phase ends here rather than at the timeout.
      const states = await jobStates(client);
      const pending = (states.created ?? 0) + (states.retry ?? 0) + (states.active ?? 0);
      const total = Object.values(states).reduce((a, b) => a + b, 0);
      if (total === 0 || pending > 0) idleSince = undefined;
      else if ((idleSince ??= Date.now()) < Date.now() - STALL_MS) {
        log(
          `STOPPED phase ${name}: no check job left to run, yet only ${d} of ${accounts} accounts were checked (jobs: ${JSON.stringify(states)})`,
        );
        break;
      }
      if (Date.now() - lastReport >= 30_000) {
        lastReport = Date.now();
        log(
          `  +${seconds(Date.now() - started)} s: ${d} of ${accounts} accounts checked${states.failed ? `; ${states.failed} jobs failed` : ""}`,
        );
      }
      await sleep(1_000);
    }
    cpuShares = cpu();
    // Jobs still queued (an account whose next slot came during the run is due again) finish before the count.
    const drainUntil = Date.now() + DRAIN_MS;
    while (Date.now() < drainUntil) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
        [CHECK_QUEUE],
      );
      if (rows[0].n === 0) break;
      await sleep(500);
    }
  } finally {
    connections.stop();
    rss.stop();
    await stopAll();
    cleanups.splice(cleanups.indexOf(stopAll), 1);
  }

  // Figures, from the database: every check's start and duration, every job's run.
  const checks = (
    await client.query<{ org: string; at: number; ms: number; ok: boolean; diag: string | null }>(
      `SELECT "orgId" AS org, extract(epoch FROM "checkedAt") * 1000 AS at, "durationMs" AS ms, ok, "diagnosisId" AS diag FROM "AccountCheck"`,
    )
  ).rows.map((r) => ({ ...r, at: Number(r.at) }));
  const jobs = (
    await client.query<{
      org: string;
      key: string;
      grp: string;
      created: number;
      started: number | null;
      completed: number | null;
      state: string;
      error: string | null;
    }>(
      `SELECT data->>'orgId' AS org, singleton_key AS key, group_id AS grp, extract(epoch FROM created_on) * 1000 AS created, output->>'message' AS error,
              extract(epoch FROM started_on) * 1000 AS started, extract(epoch FROM completed_on) * 1000 AS completed, state
         FROM pgboss.job WHERE name = $1`,
      [CHECK_QUEUE],
    )
  ).rows.map((r) => ({
    ...r,
    created: Number(r.created),
    started: r.started === null ? null : Number(r.started),
    completed: r.completed === null ? null : Number(r.completed),
  }));

  const firstEnd = new Map<string, number>();
  for (const c of checks) firstEnd.set(c.org, Math.min(firstEnd.get(c.org) ?? Infinity, c.at + c.ms));
  const firstStart = checks.reduce((a, c) => Math.min(a, c.at), Infinity);
  const allChecked = [...firstEnd.values()].reduce((a, b) => Math.max(a, b), -Infinity);
  const inWindow = checks.filter((c) => c.at + c.ms <= allChecked).length;
  const durations = checks.map((c) => c.ms).sort((a, b) => a - b);
  const failed = checks.filter((c) => !c.ok);

  // Accounts checked more than once: the same period's job twice (what two instances must never do), or a second
  // job because the account's next slot came while the run was going on (a new period: by design).
  const checksPerOrg = new Map<string, typeof checks>();
  for (const c of checks) checksPerOrg.set(c.org, [...(checksPerOrg.get(c.org) ?? []), c]);
  const keysRun = new Map<string, Set<string>>();
  for (const j of jobs) if (j.started !== null) keysRun.set(j.org, (keysRun.get(j.org) ?? new Set()).add(j.key));
  let twice = 0;
  let sameKeyTwice = 0;
  let newPeriodTwice = 0;
  let sameClockPeriodTwice = 0;
  for (const [org, list] of checksPerOrg) {
    if (list.length < 2) continue;
    twice++;
    const keys = keysRun.get(org)?.size ?? 0;
    if (list.length > keys) sameKeyTwice++;
    else newPeriodTwice++;
    const periods = new Set(list.map((c) => currentSlot(org, ctx.intervalMs, new Date(c.at)).period));
    if (periods.size < list.length) sameClockPeriodTwice++;
  }

  // The most jobs running at once against one host, from the jobs' own start and end times.
  const events: { t: number; grp: string; d: number }[] = [];
  for (const j of jobs) {
    if (j.started === null || j.completed === null) continue;
    events.push({ t: j.started, grp: j.grp, d: 1 }, { t: j.completed, grp: j.grp, d: -1 });
  }
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  const running = new Map<string, number>();
  let peakJobsPerHost = 0;
  for (const e of events) {
    const n = (running.get(e.grp) ?? 0) + e.d;
    running.set(e.grp, n);
    peakJobsPerHost = Math.max(peakJobsPerHost, n);
  }

  // Jobs that ended without checking their account: failed, or completed after waiting in vain for a host slot.
  const failedJobs = jobs.filter((j) => j.state === "failed");
  const givenUp = jobs.filter(
    (j) =>
      j.state === "completed" &&
      j.started !== null &&
      !(checksPerOrg.get(j.org) ?? []).some((c) => c.at >= j.started! - 1_000 && c.at <= j.completed! + 1_000),
  );

  let busyMs = 0;
  for (const j of jobs) {
    if (j.started === null || j.completed === null) continue;
    busyMs += Math.max(0, Math.min(j.completed, allChecked) - Math.max(j.started, firstStart));
  }

  const hostLoads = HOSTS.map((h) => smtp.load.byHost.get(h) ?? { peakOpen: 0, peakBeforeQuit: 0 });
  const workerErrors = workers.flatMap((w) =>
    fs
      .readFileSync(w.logFile, "utf8")
      .split("\n")
      .filter((l) => /error|fail|warn/i.test(l)),
  );
  const result: PhaseResult = {
    name,
    instances,
    accounts,
    completed,
    checks: checks.length,
    distinct: firstEnd.size,
    failed: failed.length,
    failedSample: [...new Set(failed.map((c) => c.diag ?? "?"))].slice(0, 5),
    fanOutAfterMs: jobs.reduce((a, j) => Math.min(a, j.created), Infinity) - started,
    firstCheckAfterMs: firstStart - started,
    allCheckedAfterMs: allChecked - started,
    firstToLastMs: allChecked - firstStart,
    checksPerSecond: round(inWindow / ((allChecked - firstStart) / 1000), 1),
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    maxMs: durations[durations.length - 1] ?? NaN,
    workerRssMb: workers.map((w) => rss.workerMb(w.pid)),
    treeRssMb: workers.map((w) => rss.treeMb(w.pid)),
    allRssMb: rss.allMb(),
    rssDetail: workers.map((w) => rss.perProcess(w.pid)),
    peakConnections: connections.peak(),
    connectionsByApp: connections.byApp(),
    peakOpenPerHost: Math.max(...hostLoads.map((h) => h.peakOpen)),
    peakTalkingPerHost: Math.max(...hostLoads.map((h) => h.peakBeforeQuit)),
    peakOpenAll: smtp.load.peakOpen,
    peakJobsPerHost,
    meanRunning: round(busyMs / (allChecked - firstStart), 1),
    failedJobs: failedJobs.length,
    failedJobSample: [...new Set(failedJobs.map((j) => j.error ?? "?"))].slice(0, 3),
    givenUpJobs: givenUp.length,
    serverLogins: smtp.sessions.filter((session) => session.user).length,
    dnsQueries: ctx.dns.queries.length - dnsQueriesBefore,
    failedLogins: smtp.sessions.filter((session) => session.replies.includes(535)).length,
    twice,
    sameKeyTwice,
    newPeriodTwice,
    sameClockPeriodTwice,
    jobsRun: jobs.filter((j) => j.started !== null).length,
    cpu: cpuShares ?? cpu(),
    workerErrors,
  };
  printPhase(result);
  return result;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function printPhase(r: PhaseResult) {
  const s = (ms: number) => `${seconds(ms)} s`;
  log(
    `  ${r.completed ? "all" : "NOT all"} ${r.accounts} accounts checked: ${r.distinct} accounts, ${r.checks} checks (${r.jobsRun} jobs run; the server counted ${r.serverLogins} logins, ${r.failedLogins} refused; ${r.dnsQueries} DNS queries)`,
  );
  log(
    `  fan-out at +${s(r.fanOutAfterMs)}, first check at +${s(r.firstCheckAfterMs)}, all checked at +${s(r.allCheckedAfterMs)} after the worker started; first to last ${s(r.firstToLastMs)}`,
  );
  log(
    `  ${r.checksPerSecond} checks/s; duration p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.maxMs} ms; failed ${r.failed}${r.failed ? ` (${r.failedSample.join(", ")})` : ""}`,
  );
  if (r.failedJobs || r.givenUpJobs) {
    log(
      `  jobs that ended without a check: ${r.failedJobs} failed${r.failedJobs ? ` (${r.failedJobSample.join(" | ")})` : ""}, ${r.givenUpJobs} gave up waiting for a host slot`,
    );
  }
  log(
    `  peak RSS: worker process ${r.workerRssMb.join(" + ")} MB; whole npm run worker tree ${r.treeRssMb.join(" + ")} MB` +
      `${r.instances > 1 ? ` (${r.allRssMb} MB for all at once)` : ""} (${r.rssDetail.join("; ")})`,
  );
  log(`  peak database connections ${r.peakConnections} (${r.connectionsByApp})`);
  log(
    `  SMTP sessions at once: ${r.peakOpenAll} in all; per host at most ${r.peakOpenPerHost} open, ${r.peakTalkingPerHost} before QUIT; check jobs active at once: ${r.meanRunning} on average, at most ${r.peakJobsPerHost} for one host (a job waiting for a host slot counts)`,
  );
  log(
    `  accounts checked more than once: ${r.twice} (same period's job twice: ${r.sameKeyTwice}; a new period's job: ${r.newPeriodTwice}; two checks within one period by the clock: ${r.sameClockPeriodTwice})`,
  );
  log(
    `  CPU: workers ${r.cpu.workers}%, PostgreSQL ${r.cpu.postgres}%, this script (SMTP server) ${r.cpu.bench}%, others ${r.cpu.others}%, idle ${r.cpu.idle}% of 2 cores`,
  );
  if (r.cpu.others > 10)
    log(
      `  NOTE: other processes used ${r.cpu.others}% of the machine during this phase: its figures are not representative`,
    );
  if (r.workerErrors.length)
    log(
      `  worker log lines mentioning errors: ${r.workerErrors.length}, e.g. ${r.workerErrors.slice(0, 3).join(" | ")}`,
    );
}

// ---------------------------------------------------------------------------------------------------------------

async function loneChecks(ctx: Context): Promise<number[]> {
  // The worker's own dependencies, from the same environment (budget, keyring, network), in this process.
  const env = loadEnv(ctx.workerEnv, ROOT);
  const db = createPrismaClient(env.database, env.databaseTimeouts);
  try {
    const deps = watchDeps(db, env);
    const orgs = await db.emailSettings.findMany({
      where: { username: { startsWith: "finance@org" } },
      select: { orgId: true },
      take: LONE_WARM_UP + LONE_CHECKS,
      orderBy: { username: "asc" },
    });
    const measured: number[] = [];
    for (const [i, { orgId }] of orgs.entries()) {
      const outcome = await runScheduledCheck(deps, orgId);
      if (!outcome?.result.ok)
        throw new Error(`a lone check failed: ${outcome?.result.diagnosis?.id} ${outcome?.result.reply ?? ""}`);
      if (i >= LONE_WARM_UP) measured.push(outcome.result.durationMs);
      await sleep(200);
    }
    return measured;
  } finally {
    await db.$disconnect();
  }
}

async function main() {
  const t0 = performance.now();
  log(
    `bench:watch  ${ACCOUNTS} accounts, replies after ${REPLY_DELAY_MS} ms, phases ${PHASES.join(",")}, ${os.cpus().length} cores, Node ${process.version}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-bench-watch-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Every account signs in as its own From address, all with the one password.
  const smtp = await startTestSmtpServer({ replyDelayMs: REPLY_DELAY_MS, starttlsHosts: HOSTS, anyUser: true });
  cleanups.push(() => smtp.close());
  // This process trusts the test CA too, for the lone check (the workers get NODE_EXTRA_CA_CERTS).
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), fs.readFileSync(smtp.caFile, "utf8")]);
  const dns = await startTestDnsServer({}, { answerDelayMs: DNS_DELAY_MS });
  cleanups.push(() => dns.close());
  log(
    `SMTP server on ${HOSTS[0]} … ${HOSTS[HOSTS.length - 1]} port ${smtp.starttlsPort}; DNS server on ${dns.address} (NXDOMAIN after ${DNS_DELAY_MS} ms)`,
  );

  const { url, name: dbName } = await createDatabase();
  log(`database ${dbName} created and migrated`);
  const secrets = {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
  };

  let t = performance.now();
  const db = createPrismaClient(parseDatabaseUrl(url, ROOT));
  try {
    const keyringKey = secrets.SETTINGS_ENCRYPTION_KEY;
    await seed(db, { keyringKey, count: ACCOUNTS, label: "org", hostOf: (i) => HOSTS[i % HOSTS.length], smtp });
    if (PHASES.includes("single-host"))
      await seed(db, { keyringKey, count: SINGLE_HOST_ACCOUNTS, label: "single", hostOf: () => SINGLE_HOST, smtp });
  } finally {
    await db.$disconnect();
  }
  log(
    `${ACCOUNTS} organisations seeded${PHASES.includes("single-host") ? ` (and ${SINGLE_HOST_ACCOUNTS} for the single-host phase)` : ""} in ${seconds(performance.now() - t)} s`,
  );

  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: url,
    ...secrets,
    SMTP_ALLOW_PRIVATE_NETWORKS: "true",
    SMTP_ALLOWED_PORTS: String(smtp.starttlsPort),
    NODE_EXTRA_CA_CERTS: smtp.caFile,
    DNS_SERVERS: dns.address,
    DATA_DIR: path.join(dir, "data"),
  };
  // The default limits: nothing from the caller's environment changes them, and no heap cap.
  for (const name of [
    "NODE_OPTIONS",
    "CHECK_CONCURRENCY",
    "ACCOUNT_CHECK_INTERVAL_MINUTES",
    "SMTP_TEST_TIMEOUT_MS",
    "WORKER",
    "SYSTEM_MAIL_URL",
    "SYSTEM_MAIL_FROM",
    "SETTINGS_ENCRYPTION_KEYS_OLD",
    "DATABASE_CONNECT_TIMEOUT_MS",
    "DATABASE_STATEMENT_TIMEOUT_MS",
    "APP_URL",
  ]) {
    delete workerEnv[name];
  }
  const env = loadEnv(workerEnv, ROOT);
  log(
    `worker limits: CHECK_CONCURRENCY ${env.watch.concurrency}, ${PER_HOST_CONCURRENCY} per SMTP host, interval ${env.watch.intervalMinutes} min, budget ${env.smtpTestBudgetMs} ms`,
  );

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  const ctx: Context = {
    dns,
    url,
    dbName,
    client,
    smtp,
    workerEnv,
    dir,
    intervalMs: env.watch.intervalMinutes * 60_000,
  };

  t = performance.now();
  const lone = await loneChecks(ctx);
  const loneMs = median(lone);
  log(
    `lone check (runScheduledCheck in this process, after ${LONE_WARM_UP} warm-ups): median ${loneMs} ms of ${lone.join(", ")} ms`,
  );

  const results: PhaseResult[] = [];
  for (const phase of PHASES) results.push(await runPhase(ctx, phase));

  report(loneMs, results);
  log(`\nbench:watch took ${round((performance.now() - t0) / 60_000, 1)} min in all`);
}

function report(loneMs: number, results: PhaseResult[]) {
  const get = (n: PhaseName) => results.find((r) => r.name === n);
  log(`\n== figures ==`);
  log(`lone check: ${loneMs} ms (median)`);
  const rows: [string, (r: PhaseResult) => string][] = [
    ["accounts", (r) => String(r.accounts)],
    ["worker instances", (r) => String(r.instances)],
    ["all checked", (r) => (r.completed ? "yes" : "NO (gave up)")],
    ["worker start to fan-out", (r) => `${seconds(r.fanOutAfterMs)} s`],
    ["worker start to all checked", (r) => `${seconds(r.allCheckedAfterMs)} s`],
    ["first check to last", (r) => `${seconds(r.firstToLastMs)} s`],
    ["checks per second", (r) => String(r.checksPerSecond)],
    ["check duration p50", (r) => `${r.p50} ms (${round(r.p50 / loneMs, 2)}x lone)`],
    ["check duration p99", (r) => `${r.p99} ms (${round(r.p99 / loneMs, 2)}x lone)`],
    ["check duration max", (r) => `${r.maxMs} ms`],
    ["failed checks", (r) => String(r.failed)],
    ["peak RSS, worker process", (r) => r.workerRssMb.map((m) => `${m} MB`).join(" + ")],
    ["peak RSS, npm run worker tree", (r) => r.treeRssMb.map((m) => `${m} MB`).join(" + ")],
    ["peak database connections", (r) => `${r.peakConnections} (${r.connectionsByApp})`],
    ["SMTP sessions at once, all hosts", (r) => String(r.peakOpenAll)],
    ["SMTP sessions at once, one host (open / before QUIT)", (r) => `${r.peakOpenPerHost} / ${r.peakTalkingPerHost}`],
    ["check jobs active at once, mean over first to last", (r) => String(r.meanRunning)],
    ["check jobs active at once for one host, most (incl. waiting for a slot)", (r) => String(r.peakJobsPerHost)],
    ["jobs ended without a check (failed / no host slot)", (r) => `${r.failedJobs} / ${r.givenUpJobs}`],
    ["checks / accounts", (r) => `${r.checks} / ${r.distinct}`],
    ["accounts checked twice: same period's job", (r) => String(r.sameKeyTwice)],
    ["accounts checked twice: next period's job", (r) => String(r.newPeriodTwice)],
    [
      "CPU workers / PostgreSQL / SMTP server / others",
      (r) => `${r.cpu.workers} / ${r.cpu.postgres} / ${r.cpu.bench} / ${r.cpu.others} %`,
    ],
  ];
  log(`| figure | ${results.map((r) => `phase ${r.name}`).join(" | ")} |`);
  log(`| --- | ${results.map(() => "---").join(" | ")} |`);
  for (const [label, fn] of rows) log(`| ${label} | ${results.map(fn).join(" | ")} |`);

  log(`\n== goals ==`);
  const verdict = (goal: string, met: boolean | undefined, figure: string) =>
    log(`${goal}: ${met === undefined ? "not measured" : met ? "met" : "NOT met"}${figure ? ` (${figure})` : ""}`);
  const one = get("one");
  verdict(
    `all ${ACCOUNTS} checked within 10 minutes (one instance, from its start)`,
    one && one.completed && one.allCheckedAfterMs <= GOAL_ALL_CHECKED_MS,
    one
      ? `${seconds(one.allCheckedAfterMs)} s from the worker's start, ${seconds(one.firstToLastMs)} s from the first check`
      : "",
  );
  verdict(
    `p99 check duration at most ${GOAL_P99_RATIO}x a lone check`,
    one && one.p99 <= GOAL_P99_RATIO * loneMs,
    one ? `p99 ${one.p99} ms = ${round(one.p99 / loneMs, 2)}x the lone ${loneMs} ms` : "",
  );
  verdict(
    `RSS under ${GOAL_RSS_MB} MB`,
    one && one.workerRssMb[0] < GOAL_RSS_MB,
    one ? `worker process ${one.workerRssMb[0]} MB; the whole npm run worker tree ${one.treeRssMb[0]} MB` : "",
  );
  const two = get("two");
  verdict(
    "no account checked twice in the period with 2 instances",
    two && two.completed && two.sameKeyTwice === 0 && two.distinct === two.accounts,
    two
      ? `${two.sameKeyTwice} accounts checked twice for the same period; ${two.distinct} of ${two.accounts} accounts checked, ${two.checks} checks` +
          (two.newPeriodTwice
            ? `; ${two.newPeriodTwice} checked again for their next period, whose slot came during the run`
            : "")
      : "",
  );
  const single = get("single-host");
  verdict(
    `at most ${PER_HOST_CONCURRENCY} at once per SMTP host (single-host phase, ${single?.instances ?? 2} instances)`,
    single && single.completed && single.peakTalkingPerHost <= PER_HOST_CONCURRENCY,
    single
      ? `the server saw at most ${single.peakTalkingPerHost} sessions at once before their QUIT, ${single.peakOpenPerHost} connections open at once counting those closing after QUIT; ` +
          `${single.checksPerSecond} checks/s`
      : "",
  );
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
  });
