// Benchmark: `npm run bench`. For SQLite and PostgreSQL, against a production build served by `npm start`:
//   1. time to content in Chromium (50 ms round trip, 20 Mbit/s, cold cache, signed in): each part of the Finance
//      email area until its own content shows (Account: the Server field holds the saved value), against the static
//      /help page until its guides show;
//   2. capacity: signed-in page views per second of the Account part /settings/email and of the dashboard / at 1,
//      10 and 50 clients, and of the area's other parts at 10, against the framework's floor for a signed-in page
//      (app/bench-floor/page.bench.tsx: auth() and one findUnique);
//   3. the server's peak resident memory.
// It builds its own copy of the app with BENCH_FLOOR=1 (into .next-bench, floor page included; .next untouched).
// Knobs: BENCH_SECONDS (per load run, default 10), BENCH_CONCURRENCY (default 1,10,50), BENCH_LOADS (browser
// loads per page, default 9), BENCH_DATABASES (default sqlite,postgresql), BENCH_BUILD=0 (reuse .next-bench).
// Goals are reported, not asserted: the script exits 0 whether they are met or not.
// Start it with npm run: the lib modules import "server-only", which loads only under the react-server condition
// the npm script passes to Node.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { chromium, type Browser, type Request } from "playwright-core";
import { encode } from "@auth/core/jwt";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";
import { createKeyring, keyFromBase64 } from "../lib/secrets/crypto";
import { parseDatabaseUrl } from "../lib/database-url";
import { saveEmailSettings } from "../lib/mailbox/settings";
import { createPrismaClient } from "../lib/prisma";
import { testSettings } from "../lib/mailbox/test-run";
import { parseMailPorts } from "../lib/smtp/mail-ports";
import { emailSettingsSchema } from "../lib/mailbox/schema";
import { provisionUser } from "../lib/users";
import { adminQuery, POSTGRES_ADMIN_URL } from "./bench-postgres";

const ROOT = path.resolve(__dirname, "..");
const DIST_DIR = ".next-bench";
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY || "1,10,50").split(",").map(Number);
const LOADS = Number(process.env.BENCH_LOADS || 9);
const DATABASES = (process.env.BENCH_DATABASES || "sqlite,postgresql").split(",") as Provider[];
const ORGS = Math.max(...CONCURRENCY);
const SESSION_COOKIE = "authjs.session-token";
/** The saved Server value: what the page must show, and what every counted page view must contain. */
const SAVED_HOST = "smtp.bench.example";
/** A person on a decent connection: 50 ms round trip, 20 Mbit/s each way (CDP takes bytes per second). */
const NETWORK = { latencyMs: 50, bytesPerSecond: (20 * 1_000_000) / 8 };

type Provider = "sqlite" | "postgresql";
type Secrets = { AUTH_SECRET: string; SETTINGS_ENCRYPTION_KEY: string };
type ContentRow = {
  db: Provider;
  page: string;
  shows: string;
  median: number;
  min: number;
  max: number;
  documentEnd: number;
};
type LoadRow = {
  db: Provider;
  target: string;
  clients: number;
  pageViews: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  unverified: number;
};
type DbResult = {
  db: Provider;
  content: ContentRow[];
  load: LoadRow[];
  peakRssMb: number;
  /** The framework's own peak under the same load: a server that served only the floor page, or only /help. */
  floorOnlyRssMb: number;
  staticOnlyRssMb: number;
  pageRequests: string[];
  /** Share of the machine's CPU time that processes outside this benchmark used, per phase. */
  othersBusy: { browser: number; load: number };
};

const log = (line: string) => console.log(line);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark's build

/**
 * `next build` with BENCH_FLOOR=1: the app plus the floor page, into .next-bench. Next adds its type folders for
 * that distDir to tsconfig.json's include on every build; those two lines are taken out again afterwards (and
 * nothing else is touched), so the benchmark leaves no change in the working tree.
 */
async function buildBenchApp() {
  const tsconfigPath = path.join(ROOT, "tsconfig.json");
  const tsconfigBefore = fs.readFileSync(tsconfigPath, "utf8");
  const logFile = path.join(os.tmpdir(), `fes-bench-build-${process.pid}.log`);
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_FLOOR: "1", NEXT_TELEMETRY_DISABLED: "1" };
  delete env.NEXT_DIST_DIR;
  const code = await new Promise<number | null>((resolve) => {
    const out = fs.openSync(logFile, "w");
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", out, out],
    });
    child.on("exit", (c) => {
      fs.closeSync(out);
      resolve(c);
    });
  });
  restoreTsconfig(tsconfigPath, tsconfigBefore);
  if (code !== 0) {
    console.error(fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n"));
    throw new Error(`BENCH_FLOOR=1 next build failed (log: ${logFile})`);
  }
  fs.rmSync(logFile, { force: true });
  log(`built into ${DIST_DIR} in ${round((performance.now() - started) / 1000)} s`);
}

function restoreTsconfig(file: string, before: string) {
  const after = fs.readFileSync(file, "utf8");
  if (after === before) return;
  try {
    const ours = (entry: string) => entry.startsWith(`${DIST_DIR}/`);
    const parsed = JSON.parse(after) as { include?: string[] };
    const stripped = { ...parsed, include: parsed.include?.filter((e) => !ours(e)) };
    if (JSON.stringify(stripped) === JSON.stringify(JSON.parse(before))) {
      fs.writeFileSync(file, before);
      return;
    }
  } catch {
    // not plain JSON: leave it as it is
  }
  log(`note: tsconfig.json changed during the build in more than Next's ${DIST_DIR} entries; left as it is`);
}

function builtRoutes(distDir: string): string[] {
  const manifest = path.join(ROOT, distDir, "server/app-paths-manifest.json");
  return fs.existsSync(manifest) ? Object.keys(JSON.parse(fs.readFileSync(manifest, "utf8")) as object) : [];
}

function assertFloorBuilt() {
  if (!builtRoutes(DIST_DIR).includes("/bench-floor/page"))
    throw new Error(`${DIST_DIR} has no /bench-floor page: build with BENCH_BUILD=1`);
  // The floor must never ship: a normal build (.next) must not have it.
  if (builtRoutes(".next").includes("/bench-floor/page"))
    log("WARNING: .next contains /bench-floor: it was built with BENCH_FLOOR=1");
}

// ---------------------------------------------------------------------------------------------------------------
// Databases: a fresh one per run, migrated by the app's own Prisma wrapper, filled through lib/ functions

async function createDatabase(provider: Provider, dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  let url: string;
  let drop = (): Promise<void> => Promise.resolve();
  if (provider === "postgresql") {
    const name = `fes_bench_${crypto.randomBytes(4).toString("hex")}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    const u = new URL(POSTGRES_ADMIN_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } else {
    url = `file:${path.join(dir, "app.db")}`;
  }
  execFileSync(process.execPath, [path.join(ROOT, "scripts/prisma.mjs"), "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: "pipe",
  });
  return { url, drop };
}

/**
 * ORGS organisations, each with an owner, saved settings (saved twice, so there is history) and two failed
 * test runs (the saved server resolves to a closed local port), as a real organisation's page would show.
 * Returns one session cookie per owner, minted as Auth.js mints them.
 */
async function provision(url: string, secrets: Secrets): Promise<string[]> {
  const db = createPrismaClient(parseDatabaseUrl(url, ROOT));
  const keyring = createKeyring([keyFromBase64(secrets.SETTINGS_ENCRYPTION_KEY)]);
  const closedPort = await freePort();
  const runner = {
    db,
    keyring,
    budgetMs: 5_000,
    allowPrivate: true,
    // The saved server is a closed local port, not a mail port.
    allowedPorts: parseMailPorts("1-65535")!,
    lookup: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]),
  };
  const cookies: string[] = [];
  try {
    for (let i = 0; i < ORGS; i++) {
      const email = `owner${i}@bench.example`;
      const { user, org } = await provisionUser(db, {
        email,
        name: `Bench Owner ${i}`,
        password: "a long benchmark password",
        orgName: `Bench Org ${i}`,
        role: "OWNER",
        createOrg: true,
      });
      const form = (version: number, fromName: string) =>
        emailSettingsSchema.parse({
          provider: "custom",
          host: SAVED_HOST,
          port: String(closedPort),
          security: "starttls",
          user: email,
          password: version === 0 ? "bench-password-123" : "",
          fromName,
          fromAddress: email,
          replyTo: "",
          version: String(version),
        });
      const actor = { userId: user.id, email: user.email, name: user.name, orgId: org.id };
      await saveEmailSettings({ db, keyring }, actor, form(0, "Bench"));
      await saveEmailSettings({ db, keyring }, actor, form(1, "Bench Finance"));
      const ctx = { org: { id: org.id, name: org.name }, user: { id: user.id, name: user.name, email: user.email } };
      for (const mode of ["check", "send"] as const)
        await testSettings(runner, ctx, form(2, "Bench Finance"), { mode, to: email });
      await workedUntilYesterday(db, org.id);
      const token = await encode({
        // As lib/auth.ts issues it: the user's session version and the sign-in time (lib/session.ts checks both).
        token: {
          sub: user.id,
          name: user.name,
          email: user.email,
          sessionVersion: 0,
          signedInAt: Math.floor(Date.now() / 1000),
        },
        secret: secrets.AUTH_SECRET,
        salt: SESSION_COOKIE,
        maxAge: 24 * 60 * 60,
      });
      cookies.push(token);
    }
  } finally {
    await db.$disconnect();
  }
  return cookies;
}

/**
 * The history of an account that worked for a month and failed today: a scheduled check every 6 hours for 30 days
 * (the page's 30-day strip then has a square for every day), passing until yesterday, and the account marked as
 * having worked then, so today's failure is an incident: red, with the banner on every page. Written directly: the
 * watch would take a month to write it.
 */
async function workedUntilYesterday(db: ReturnType<typeof createPrismaClient>, orgId: string) {
  const now = Date.now();
  const checks = Array.from({ length: 30 * 4 }, (_, i) => {
    const checkedAt = new Date(now - (i + 1) * 6 * 3_600_000);
    const ok = i >= 4;
    return { orgId, checkedAt, ok, durationMs: 800, ...(ok ? {} : { failedStep: "connect" as const }) };
  });
  await db.accountCheck.createMany({ data: checks });
  await db.emailSettings.update({
    where: { orgId },
    data: { workedAt: new Date(now - 5 * 6 * 3_600_000), lastCheckAt: checks[0].checkedAt },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The server: `npm start`, as a user runs it (no heap cap), on the benchmark's build

async function startServer(url: string, dataDir: string, secrets: Secrets) {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    BENCH_FLOOR: "1", // the same next.config.js as the build: distDir .next-bench
    PORT: String(port),
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    ...secrets,
  };
  delete env.NEXT_DIST_DIR;
  delete env.NODE_OPTIONS;
  const logFile = path.join(dataDir, "server.log");
  const out = fs.openSync(logFile, "w");
  const child: ChildProcess = spawn("npm", ["start", "--silent", "--", "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    env,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`${base}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, base, logFile };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`next start did not become healthy (log: ${logFile})`);
}

/** Samples the resident memory of the server (the largest process in `npm start`'s tree) from /proc. */
function rssSampler(rootPid: number) {
  let pids: number[] = [];
  let peakKb = 0;
  const scanTree = () => {
    const parent = new Map<number, number>();
    for (const p of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        parent.set(Number(p), Number(fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ")[1]));
      } catch {
        // ended meanwhile
      }
    }
    const tree = [rootPid];
    for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
    pids = tree;
  };
  const sample = () => {
    for (const pid of pids) {
      try {
        const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // ended
      }
    }
  };
  scanTree();
  const timers = [setInterval(sample, 250), setInterval(scanTree, 5_000)];
  return {
    peakMb: () => round(peakKb / 1024),
    stop: () => timers.forEach(clearInterval),
  };
}

/**
 * How busy the rest of the machine was during a phase: all CPU time spent (/proc/stat) minus what this
 * benchmark's own process tree spent (this process and autocannon, the server, Chromium), as a share of all
 * cores. On a shared machine a high figure means the results of that phase are not representative.
 */
function otherCpuMeter() {
  const machine = () => {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { total, busy: total - f[3] - f[4] };
  };
  const ours = () => {
    const parent = new Map<number, number>();
    const cpu = new Map<number, number>();
    for (const p of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const fields = fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ");
        parent.set(Number(p), Number(fields[1]));
        // utime + stime, and cutime + cstime: what its children that have ended used (Chromium's renderers)
        cpu.set(Number(p), Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]));
      } catch {
        // ended meanwhile
      }
    }
    const tree = [process.pid];
    for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
    return new Map(tree.map((pid) => [pid, cpu.get(pid) ?? 0]));
  };
  const m0 = machine();
  const o0 = ours();
  return () => {
    const m1 = machine();
    const o1 = ours();
    let oursDelta = 0;
    for (const [pid, t] of o1) oursDelta += t - (o0.get(pid) ?? 0);
    const share = (m1.busy - m0.busy - oursDelta) / Math.max(1, m1.total - m0.total);
    return Math.max(0, round(share * 100));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Time to content in Chromium

type PageSpec = { page: string; path: string; shows: string; ready: string };

/**
 * The Finance email area's parts, each a page of its own: what shows that a part's own content is there (the
 * layout's status banner is on every part, so it proves nothing about the part).
 */
const FINANCE_PARTS = [
  {
    page: "Finance email /settings/email",
    path: "/settings/email",
    shows: "Server field holds the saved host",
    ready: `document.getElementById("field-host")?.value === ${JSON.stringify(SAVED_HOST)}`,
    marker: `value="${SAVED_HOST}"`,
  },
  {
    page: "Deliverability /settings/email/deliverability",
    path: "/settings/email/deliverability",
    shows: "Deliverability card",
    ready: `document.getElementById("deliverability")?.textContent.includes("bench.example") === true`,
    marker: 'id="deliverability"',
  },
  {
    page: "Alerts /settings/email/alerts",
    path: "/settings/email/alerts",
    shows: "Alerts section",
    ready: `document.querySelector("#alerts form") !== null`,
    marker: 'id="alerts"',
  },
  {
    page: "History /settings/email/history",
    path: "/settings/email/history",
    shows: "a settings change",
    ready: `document.querySelector('[data-testid="history-entry"]') !== null`,
    marker: 'data-testid="history-entry"',
  },
] as const;

const CONTENT_PAGES: PageSpec[] = [
  ...FINANCE_PARTS.map(({ page, path, shows, ready }) => ({ page, path, shows, ready })),
  {
    page: "static /help",
    path: "/help",
    shows: "guide list",
    ready: `document.querySelector('ul[aria-label="Guides"] li') !== null`,
  },
  {
    page: "dashboard /",
    path: "/",
    shows: "status banner",
    ready: `document.querySelector('[data-testid="settings-status"]') !== null`,
  },
];

/**
 * One cold load in a fresh context: cache disabled, throttled, signed in. The moment is taken inside the page:
 * a script installed before the document exists checks on every animation frame (the frame that would paint
 * it) and records performance.now(), which counts from the start of navigation.
 */
async function loadOnce(browser: Browser, base: string, token: string, spec: PageSpec, record?: string[]) {
  const context = await browser.newContext();
  try {
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: base, httpOnly: true, sameSite: "Lax" }]);
    await context.addInitScript(`(() => {
      const ready = () => { try { return ${spec.ready}; } catch { return false; } };
      const tick = () => { if (ready()) window.__benchShownAt = performance.now(); else requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })();`);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: NETWORK.latencyMs,
      downloadThroughput: NETWORK.bytesPerSecond,
      uploadThroughput: NETWORK.bytesPerSecond,
    });
    let recording = Boolean(record);
    if (record) {
      // What a page view asks of the server, static assets and router prefetches aside.
      page.on("request", (req: Request) => {
        const u = new URL(req.url());
        const headers = req.headers();
        if (!recording || u.origin !== base || req.method() !== "GET") return;
        if (!["document", "fetch", "xhr"].includes(req.resourceType())) return;
        if (
          u.pathname.startsWith("/_next/") ||
          u.pathname === "/favicon.ico" ||
          headers["rsc"] ||
          headers["next-router-prefetch"]
        )
          return;
        if (u.searchParams.has("_rsc")) return;
        record.push(u.pathname + u.search);
      });
    }
    await page.goto(base + spec.path, { waitUntil: "commit" });
    const shown = await page.waitForFunction(
      () => (window as unknown as { __benchShownAt?: number }).__benchShownAt,
      undefined,
      {
        timeout: 30_000,
        polling: 20,
      },
    );
    const ms = (await shown.jsonValue()) as number;
    recording = false;
    // When the last byte of the HTML arrived (the throttling delays the body, not responseStart).
    const documentEnd = await page.evaluate(
      () => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).responseEnd,
    );
    return { ms, documentEnd };
  } catch (err) {
    throw new Error(`${spec.path} did not show its content: ${(err as Error).message.split("\n")[0]}`);
  } finally {
    await context.close();
  }
}

async function timeToContent(db: Provider, base: string, token: string) {
  const others = otherCpuMeter();
  let othersBusy = 0;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const samples = new Map<PageSpec, { ms: number[]; documentEnd: number[] }>(
    CONTENT_PAGES.map((p) => [p, { ms: [], documentEnd: [] }]),
  );
  const pageRequests: string[] = [];
  try {
    for (const spec of CONTENT_PAGES) await loadOnce(browser, base, token, spec); // warm-up, not counted
    // Interleaved, so a slow moment of the machine does not land on one page only.
    for (let i = 0; i < LOADS; i++) {
      for (const spec of CONTENT_PAGES) {
        const { ms, documentEnd } = await loadOnce(
          browser,
          base,
          token,
          spec,
          i === 0 && spec === CONTENT_PAGES[0] ? pageRequests : undefined,
        );
        samples.get(spec)!.ms.push(ms);
        samples.get(spec)!.documentEnd.push(documentEnd);
      }
    }
    // Before the browser closes: its renderers' CPU time is counted through the processes that reaped them.
    othersBusy = others();
  } finally {
    await browser.close();
  }
  const rows: ContentRow[] = CONTENT_PAGES.map((spec) => {
    const { ms, documentEnd } = samples.get(spec)!;
    return {
      db,
      page: spec.page,
      shows: spec.shows,
      median: round(median(ms)),
      min: round(Math.min(...ms)),
      max: round(Math.max(...ms)),
      documentEnd: round(median(documentEnd)),
    };
  });
  for (const r of rows)
    log(
      `${db.padEnd(10)} ${r.page.padEnd(30)} time to content median ${r.median} ms (min ${r.min}, max ${r.max}; HTML received at ${r.documentEnd} ms)`,
    );
  return { rows, pageRequests, othersBusy };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Capacity

/**
 * Page views per second: each connection requests `sequence` in order, again and again, as a different member
 * each time. A page view counts only if the response at `verifyIndex` is a 200 whose body passes `verify` (so a
 * redirect to sign-in or an error page cannot pass for one). Latency is per page view: from sending its first
 * request to receiving its last response.
 */
async function capacity(
  db: Provider,
  target: string,
  base: string,
  clients: number,
  cookies: string[],
  sequence: string[],
  verifyIndex: number,
  verify: (body: string) => boolean,
  seconds = SECONDS,
): Promise<LoadRow> {
  let next = 0;
  let pageViews = 0;
  let unverified = 0;
  const durations: number[] = [];
  const requests = sequence.map((p, k) => ({
    method: "GET" as const,
    path: p,
    setupRequest: (req: autocannon.Request, ctx: Record<string, unknown>) => {
      if (k === 0) {
        ctx.start = performance.now();
        ctx.cookie = cookies[next++ % cookies.length];
      }
      return { ...req, headers: { ...req.headers, cookie: `${SESSION_COOKIE}=${ctx.cookie as string}` } };
    },
    onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
      if (k === verifyIndex && !(status === 200 && verify(body))) unverified++;
      if (k === sequence.length - 1) {
        durations.push(performance.now() - (ctx.start as number));
        pageViews++;
      }
    },
  }));
  const started = performance.now();
  const result = await autocannon({
    url: base,
    connections: clients,
    duration: seconds,
    requests,
  } as autocannon.Options);
  const elapsed = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  const row: LoadRow = {
    db,
    target,
    clients,
    pageViews: round((pageViews - unverified) / elapsed, 1),
    p50: round(percentile(durations, 50), 1),
    p95: round(percentile(durations, 95), 1),
    p99: round(percentile(durations, 99), 1),
    errors: result.errors,
    non2xx: result.non2xx,
    unverified,
  };
  log(
    `${db.padEnd(10)} ${target.padEnd(30)} ${String(clients).padStart(3)} clients: ${String(row.pageViews).padStart(7)} page views/s  ` +
      `p50 ${row.p50} ms  p95 ${row.p95} ms  p99 ${row.p99} ms  errors ${row.errors}  non-2xx ${row.non2xx}  unverified ${row.unverified}`,
  );
  return row;
}

/** Which of the page's own requests carries the member's settings (the document once it is server-rendered). */
async function findContentRequest(base: string, token: string, sequence: string[]): Promise<number> {
  for (let k = 0; k < sequence.length; k++) {
    const res = await fetch(base + sequence[k], {
      headers: { cookie: `${SESSION_COOKIE}=${token}` },
      redirect: "manual",
    });
    if (res.status === 200 && (await res.text()).includes(SAVED_HOST)) return k;
  }
  throw new Error(`none of the settings page's requests (${sequence.join(", ")}) returns the saved host ${SAVED_HOST}`);
}

// ---------------------------------------------------------------------------------------------------------------

/** Stops a server started by startServer (npm start and everything under it). */
async function stopServer(server: { child: ChildProcess }) {
  try {
    process.kill(-server.child.pid!, "SIGTERM");
  } catch {
    // already gone
  }
  await new Promise((r) => setTimeout(r, 1000));
}

/**
 * How many load runs the app's server gets at a client count: the Account part, the floor and the dashboard at
 * each, and the area's three other parts at 10 clients.
 */
const appLoadRuns = (clients: number) => 3 + (clients === 10 ? FINANCE_PARTS.length - 1 : 0);

/**
 * The framework's own memory, for comparison with the app's: a fresh server that serves only one page (the floor
 * page, or the static /help) under as many load runs as the app's server gets, warmed up the same way. Its peak RSS.
 */
async function memoryOfOnePage(
  provider: Provider,
  url: string,
  dir: string,
  secrets: Secrets,
  cookies: string[],
  path: string,
  marker: string,
): Promise<number> {
  const server = await startServer(url, dir, secrets);
  const rss = rssSampler(server.child.pid!);
  try {
    await autocannon({
      url: server.base + path,
      connections: 4,
      amount: 200,
      headers: { cookie: `${SESSION_COOKIE}=${cookies[0]}` },
    });
    const run = (clients: number, seconds?: number) =>
      capacity(
        provider,
        `memory: ${path} only`,
        server.base,
        clients,
        cookies,
        [path],
        0,
        (b) => b.includes(marker),
        seconds,
      );
    for (let i = 0; i < appLoadRuns(10); i++) await run(10, 3);
    for (const clients of CONCURRENCY) for (let i = 0; i < appLoadRuns(clients); i++) await run(clients);
    return rss.peakMb();
  } finally {
    rss.stop();
    await stopServer(server);
  }
}

async function benchDatabase(provider: Provider): Promise<DbResult> {
  log(`\n== ${provider} ==`);
  const secrets: Secrets = {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-bench-"));
  const { url, drop } = await createDatabase(provider, dir);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let rss: ReturnType<typeof rssSampler> | undefined;
  try {
    let t = performance.now();
    const cookies = await provision(url, secrets);
    log(`${ORGS} organisations provisioned in ${round((performance.now() - t) / 1000)} s`);
    const floorOnlyRssMb = await memoryOfOnePage(provider, url, dir, secrets, cookies, "/bench-floor", "Bench Owner");
    const staticOnlyRssMb = await memoryOfOnePage(provider, url, dir, secrets, cookies, "/help", "Google Mail");
    log(
      `${provider}: the framework's own peak RSS under the same load: floor page only ${floorOnlyRssMb} MB, static /help only ${staticOnlyRssMb} MB`,
    );
    server = await startServer(url, dir, secrets);
    rss = rssSampler(server.child.pid!);
    const { base } = server;

    // The server warmed up (its code compiled by V8) before anything is timed.
    for (const p of CONTENT_PAGES) {
      await autocannon({
        url: base + p.path,
        connections: 4,
        amount: 200,
        headers: { cookie: `${SESSION_COOKIE}=${cookies[0]}` },
      });
    }
    t = performance.now();
    const content = await timeToContent(provider, base, cookies[0]);
    const othersBrowser = content.othersBusy;
    log(
      `browser loads took ${round((performance.now() - t) / 1000)} s; other processes used ${othersBrowser}% of the machine meanwhile`,
    );

    // A page view of /settings/email: what the browser asked of the server for it (the document, plus the
    // data requests while the page was a static shell), each connection as a member of its own.
    const sequence = content.pageRequests.length > 0 ? [...new Set(content.pageRequests)] : ["/settings/email"];
    if (!sequence.includes("/settings/email")) sequence.unshift("/settings/email");
    const contentIndex = await findContentRequest(base, cookies[0], sequence);
    log(`a settings page view = GET ${sequence.join(" + GET ")} (the saved host checked in ${sequence[contentIndex]})`);

    const settings = (clients: number, seconds?: number) =>
      capacity(
        provider,
        FINANCE_PARTS[0].page,
        base,
        clients,
        cookies,
        sequence,
        contentIndex,
        (b) => b.includes(SAVED_HOST),
        seconds,
      );
    // The area's other parts: one document each, counted when it carries the part's own content.
    const parts = FINANCE_PARTS.slice(1).map(
      (part) => (clients: number, seconds?: number) =>
        capacity(provider, part.page, base, clients, cookies, [part.path], 0, (b) => b.includes(part.marker), seconds),
    );
    const floor = (clients: number, seconds?: number) =>
      capacity(
        provider,
        "floor /bench-floor",
        base,
        clients,
        cookies,
        ["/bench-floor"],
        0,
        (b) => b.includes("Bench Owner"),
        seconds,
      );
    // The Finance email area's other page: the member's status banner shows only once their settings are read.
    const dashboard = (clients: number, seconds?: number) =>
      capacity(
        provider,
        "dashboard /",
        base,
        clients,
        cookies,
        ["/"],
        0,
        (b) => b.includes('data-testid="settings-status"'),
        seconds,
      );
    await settings(10, 3); // warm-up, not counted
    for (const part of parts) await part(10, 3);
    await floor(10, 3);
    await dashboard(10, 3);
    const load: LoadRow[] = [];
    const others = otherCpuMeter();
    for (const clients of CONCURRENCY) {
      load.push(await settings(clients));
      // The goal is at 10 clients: the other parts are measured there (their rows at 1 and 50 would add minutes).
      if (clients === 10) for (const part of parts) load.push(await part(clients));
      load.push(await floor(clients));
      load.push(await dashboard(clients));
    }
    const othersLoad = others();
    const peakRssMb = rss.peakMb();
    log(
      `${provider}: peak server memory (RSS) ${peakRssMb} MB; other processes used ${othersLoad}% of the machine during the load runs`,
    );
    return {
      db: provider,
      content: content.rows,
      load,
      peakRssMb,
      floorOnlyRssMb,
      staticOnlyRssMb,
      pageRequests: sequence,
      othersBusy: { browser: othersBrowser, load: othersLoad },
    };
  } finally {
    rss?.stop();
    if (server) await stopServer(server);
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: DbResult[], minutes: number) {
  const out: string[] = [];
  const isPart = (page: string) => FINANCE_PARTS.some((part) => part.page === page);
  const helpOf = (r: DbResult) => r.content.find((c) => c.page === "static /help")!;

  out.push("### Time to content (Chromium, 50 ms round trip, 20 Mbit/s, cold cache, signed in)", "");
  out.push(`Median of ${LOADS} loads, each in a fresh browser context, ms from navigation start.`, "");
  out.push(
    "| database | page | shown when | median ms | min ms | max ms | HTML received ms (median) | / static /help |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const r of results) {
    for (const c of r.content) {
      out.push(
        `| ${r.db} | ${c.page} | ${c.shows} | ${c.median} | ${c.min} | ${c.max} | ${c.documentEnd} | ${(c.median / helpOf(r).median).toFixed(2)}x |`,
      );
    }
  }

  out.push(
    "",
    `### Capacity (autocannon, ${SECONDS} s per row, signed in, each page view as one of ${ORGS} members)`,
    "",
  );
  for (const r of results) out.push(`- ${r.db}: a settings page view = GET ${r.pageRequests.join(" + GET ")}`);
  out.push("");
  out.push(
    "| database | target | clients | page views/s | p50 ms | p95 ms | p99 ms | errors | non-2xx | unverified | / floor |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of results) {
    for (const row of r.load) {
      const floor = r.load.find((f) => f.target.startsWith("floor") && f.clients === row.clients)!;
      const ratio = row.target.startsWith("floor") ? "" : `${(row.pageViews / floor.pageViews).toFixed(2)}x`;
      out.push(
        `| ${r.db} | ${row.target} | ${row.clients} | ${row.pageViews} | ${row.p50} | ${row.p95} | ${row.p99} | ${row.errors} | ${row.non2xx} | ${row.unverified} | ${ratio} |`,
      );
    }
  }

  out.push("", "### Server memory (peak RSS, no heap cap)", "");
  out.push(
    "| database | this app: browser loads, Finance email parts, floor and dashboard runs | framework: floor page only, same runs | framework: static /help only, same runs |",
    "|---|---|---|---|",
  );
  for (const r of results)
    out.push(`| ${r.db} | ${r.peakRssMb} MB | ${r.floorOnlyRssMb} MB | ${r.staticOnlyRssMb} MB |`);

  const verdict = (met: boolean) => (met ? "met" : "NOT met");
  const ttc = results.flatMap((r) =>
    r.content
      .filter((c) => isPart(c.page))
      .map((c) => ({ db: r.db, page: c.page.split(" ").pop(), ratio: c.median / helpOf(r).median })),
  );
  const ttcMet = ttc.every((x) => x.ratio <= 1.0);
  const isFinanceArea = (x: LoadRow) => !x.target.startsWith("floor");
  const cap = results.flatMap((r) => {
    const f = r.load.find((x) => x.target.startsWith("floor") && x.clients === 10);
    return r.load
      .filter((x) => isFinanceArea(x) && x.clients === 10)
      .map((s) => ({
        db: r.db,
        page: s.target.split(" ").pop(),
        ratio: f ? s.pageViews / f.pageViews : NaN,
        p95: s.p95,
      }));
  });
  const failures = results
    .flatMap((r) => r.load.filter(isFinanceArea))
    .reduce((n, x) => n + x.errors + x.non2xx + x.unverified, 0);
  const capMet = cap.length > 0 && cap.every((x) => x.ratio >= 0.5) && failures === 0;
  const peak = Math.max(...results.map((r) => r.peakRssMb));

  out.push("", "### Goals", "");
  out.push(
    `- Time to content, each part of the Finance email area / help at most 1.0x: ${ttc.map((x) => `${x.db} ${x.page} ${x.ratio.toFixed(3)}x`).join(", ")}: **${verdict(ttcMet)}**`,
  );
  out.push(
    `- Capacity at 10 clients at least 0.5x the floor, 0 errors: ${cap.length === 0 ? "not measured" : cap.map((x) => `${x.db} ${x.page} ${Number.isNaN(x.ratio) ? "not measured" : `${x.ratio.toFixed(3)}x`} (p95 ${x.p95} ms)`).join(", ")}; ` +
      `errors + non-2xx + unverified on the Finance email area and the dashboard = ${failures}: **${verdict(capMet)}**`,
  );
  // Against the framework serving only a signed-in page of its own, under the same load runs.
  const rssRatio = results.map((r) => ({ db: r.db, ratio: r.peakRssMb / r.floorOnlyRssMb }));
  out.push(
    `- Peak server RSS within 1.1x of the framework alone (floor page only): ${rssRatio.map((x) => `${x.db} ${x.ratio.toFixed(3)}x`).join(", ")}: **${verdict(rssRatio.every((x) => x.ratio <= 1.1))}**`,
  );
  out.push(
    `- Peak server RSS under 300 MB: ${results.map((r) => `${r.db} ${r.peakRssMb} MB (the framework alone: floor page ${r.floorOnlyRssMb} MB, static page ${r.staticOnlyRssMb} MB)`).join(", ")}: **${verdict(peak < 300)}**`,
  );
  out.push("", `Whole run: ${minutes.toFixed(1)} min on ${os.cpus().length} cores, Node ${process.version}.`);
  const busy = results.map(
    (r) => `${r.db}: ${r.othersBusy.browser}% during the browser loads, ${r.othersBusy.load}% during the load runs`,
  );
  out.push(`CPU used by processes outside the benchmark (share of all cores): ${busy.join("; ")}.`);
  if (results.some((r) => Math.max(r.othersBusy.browser, r.othersBusy.load) > 10)) {
    out.push(
      "**The machine was busy with other work: these figures are not representative. Run again on a quiet machine.**",
    );
  }
  console.log("\n" + out.join("\n"));
}

async function main() {
  const started = performance.now();
  if (process.env.BENCH_BUILD !== "0") await buildBenchApp();
  assertFloorBuilt();
  const results: DbResult[] = [];
  for (const provider of DATABASES) results.push(await benchDatabase(provider));
  report(results, (performance.now() - started) / 60_000);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
