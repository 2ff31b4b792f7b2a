// Load benchmark: `npm run bench` (BENCH_SECONDS=20 by default). For SQLite and PostgreSQL, against `next start`
// on this machine, it measures requests per second and p50/p95/p99 latency of
//   - a static page of the same app (/help: the floor),
//   - the Finance email page, signed in: the page (a static shell) and the two requests it makes for the
//     member's data (/api/settings/email, and /api/me for the header),
//   - saving the settings (the form's server action POST, each connection saving its own organisation's settings),
// at 1, 10 and 50 concurrent clients, and the server's resident memory. Needs `npm run build` first.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { encode } from "@auth/core/jwt";
import { createKeyring, keyFromBase64 } from "../lib/crypto";
import { parseDatabaseUrl } from "../lib/database-url";
import { saveEmailSettings } from "../lib/email-settings";
import { createPrismaClient } from "../lib/prisma";
import { emailSettingsSchema } from "../lib/smtp/schema";
import { provisionUser } from "../lib/users";
import { migrateDatabase } from "../tests/helpers/migrate";
import { createPostgresDatabase } from "../tests/helpers/postgres";

const ROOT = path.resolve(__dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY || "1,10,50").split(",").map(Number);
const ORGS = Math.max(...CONCURRENCY);

type Row = { db: string; target: string; clients: number; rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: number; refused: number };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resident memory of the Next.js server: the node process that `npm start` runs (the largest in its tree). */
function rssMb(rootPid: number): number {
  const parent = new Map<number, number>();
  for (const p of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      parent.set(Number(p), Number(fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ")[1]));
    } catch {
      // process ended meanwhile
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  let largest = 0;
  for (const pid of tree) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) largest = Math.max(largest, Number(m[1]));
    } catch {
      // ended
    }
  }
  return Math.round(largest / 1024);
}

async function prepare(provider: "sqlite" | "postgresql", secrets: { AUTH_SECRET: string; SETTINGS_ENCRYPTION_KEY: string }) {
  let url: string;
  let drop = async () => undefined as void;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-bench-"));
  if (provider === "postgresql") {
    const pg = await createPostgresDatabase("bench");
    url = pg.url;
    drop = pg.drop;
  } else {
    url = `file:${path.join(dir, "app.db")}`;
    migrateDatabase(url);
  }
  const db = createPrismaClient(parseDatabaseUrl(url));
  const keyring = createKeyring([keyFromBase64(secrets.SETTINGS_ENCRYPTION_KEY)]);
  const cookies: string[] = [];
  for (let i = 0; i < ORGS; i++) {
    const { user, org } = await provisionUser(db, {
      email: `admin${i}@bench.example`,
      name: `Admin ${i}`,
      password: "a long benchmark password",
      orgName: `Bench Org ${i}`,
      role: "ADMIN",
      createOrg: true,
    });
    const input = emailSettingsSchema.parse({
      provider: "custom", host: "smtp.bench.example", port: "587", security: "starttls", user: `admin${i}@bench.example`,
      password: "bench-password-123", fromName: "Bench", fromAddress: `admin${i}@bench.example`, replyTo: "", version: "0",
    });
    await saveEmailSettings(db, keyring, { userId: user.id, email: user.email, name: user.name, orgId: org.id }, input);
    const token = await encode({ token: { sub: user.id, name: user.name, email: user.email }, secret: secrets.AUTH_SECRET, salt: "authjs.session-token" });
    cookies.push(`authjs.session-token=${token}`);
  }
  await db.$disconnect();
  return { url, dir, cookies, drop };
}

async function startServer(url: string, dir: string, secrets: Record<string, string>) {
  const port = await freePort();
  // `npm start`, as a user runs it.
  const child: ChildProcess = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), DATABASE_URL: url, DATA_DIR: dir, ...secrets },
    stdio: "ignore",
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) return { child, base };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("next start did not become healthy");
}

/**
 * The save as the page's form sends it: a POST of the server action (its id from the build's manifest), with
 * React's encoding of the action's arguments (the previous state, then the form's fields as "1_<name>").
 */
function saveActionId(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName?: string }>;
  };
  const id = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === "saveEmailSettingsAction")?.[0];
  if (!id) throw new Error("saveEmailSettingsAction is not in the build; run npm run build first");
  return id;
}

function multipart(fields: [string, string][]) {
  const boundary = `----bench${crypto.randomBytes(8).toString("hex")}`;
  const body = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function measure(db: string, target: string, clients: number, opts: autocannon.Options, refusedCheck?: (body: string) => boolean) {
  let refused = 0;
  const result = await autocannon({
    ...opts,
    connections: clients,
    duration: SECONDS,
    ...(refusedCheck ? { onResponse: (_status: number, body: string) => void (refusedCheck(body) && refused++) } : {}),
  } as autocannon.Options);
  const row: Row = {
    db, target, clients,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50, p95: result.latency.p97_5 !== undefined ? percentile(result, 95) : result.latency.p99, p99: result.latency.p99,
    errors: result.errors + result.timeouts, non2xx: result.non2xx, refused,
  };
  console.log(`${db.padEnd(10)} ${target.padEnd(16)} ${String(clients).padStart(3)} clients: ${String(row.rps).padStart(6)} req/s  p50 ${row.p50} ms  p95 ${row.p95} ms  p99 ${row.p99} ms  errors ${row.errors}  non-2xx ${row.non2xx}${refusedCheck ? `  not saved ${refused}` : ""}`);
  return row;
}

/** autocannon reports p90 and p97.5 but not p95: interpolate between them. */
function percentile(result: autocannon.Result, p: 95): number {
  const lat = result.latency as unknown as Record<string, number>;
  return Math.round((lat.p90 + (lat.p97_5 - lat.p90) * ((p - 90) / 7.5)) * 100) / 100;
}

async function benchDatabase(provider: "sqlite" | "postgresql") {
  const secrets = { AUTH_SECRET: crypto.randomBytes(32).toString("base64url"), SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64") };
  const { url, dir, cookies, drop } = await prepare(provider, secrets);
  const { child, base } = await startServer(url, dir, secrets);
  const rows: Row[] = [];
  let peakRss = 0;
  try {
    const actionId = saveActionId();
    // warm-up
    for (const url of ["/help", "/settings/email", "/api/settings/email"]) await autocannon({ url: `${base}${url}`, connections: 5, amount: 500, headers: { cookie: cookies[0] } });
    for (const clients of CONCURRENCY) {
      rows.push(await measure(provider, "static /help", clients, { url: `${base}/help` }));
      peakRss = Math.max(peakRss, rssMb(child.pid!));
      // The page (a static shell) and the data it loads for the member, each connection as its own member.
      for (const [target, url] of [["settings page", "/settings/email"], ["settings data", "/api/settings/email"], ["header data", "/api/me"]] as const) {
        let next = 0;
        rows.push(
          await measure(provider, target, clients, {
            url: `${base}${url}`,
            requests: [{ setupRequest: (req: autocannon.Request, ctx: Record<string, unknown>) => {
              ctx.cookie ??= cookies[next++ % cookies.length];
              return { ...req, headers: { ...req.headers, cookie: ctx.cookie as string } };
            } }],
          } as autocannon.Options),
        );
        peakRss = Math.max(peakRss, rssMb(child.pid!));
      }
      // Each connection saves its own organisation, carrying the version it saved last (no lost-update refusals).
      const versions = new Map<number, number>();
      let org = 0;
      rows.push(
        await measure(
          provider,
          "save settings",
          clients,
          {
            url: `${base}/settings/email`,
            method: "POST",
            requests: [{
              setupRequest: (req: autocannon.Request, ctx: Record<string, unknown>) => {
                if (ctx.org === undefined) ctx.org = org++ % cookies.length;
                const i = ctx.org as number;
                const version = versions.get(i) ?? 1;
                const fields: [string, string][] = [
                  ["version", String(version)], ["provider", "custom"], ["host", "smtp.bench.example"], ["port", "587"],
                  ["security", "starttls"], ["user", `admin${i}@bench.example`], ["password", ""],
                  ["fromName", `Bench ${crypto.randomBytes(3).toString("hex")}`], ["fromAddress", `admin${i}@bench.example`], ["replyTo", ""],
                ];
                const { body, contentType } = multipart([...fields.map(([k, v]) => [`1_${k}`, v] as [string, string]), ["0", '[{},"$K1"]']]);
                ctx.version = version;
                return {
                  ...req,
                  body,
                  headers: { ...req.headers, cookie: cookies[i], "content-type": contentType, "next-action": actionId, accept: "text/x-component" },
                };
              },
              onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
                if (body.includes("Saved. Changed")) versions.set(ctx.org as number, (ctx.version as number) + 1);
              },
            }],
          } as autocannon.Options,
          (body) => !body.includes("Saved. Changed"),
        ),
      );
      peakRss = Math.max(peakRss, rssMb(child.pid!));
    }
  } finally {
    process.kill(-child.pid!, "SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    await drop();
  }
  return { rows, peakRss };
}

function table(all: { provider: string; rows: Row[]; peakRss: number }[]) {
  const lines = ["| database | target | clients | req/s | p50 ms | p95 ms | p99 ms | p95 / floor p95 | errors | non-2xx | not saved |", "|---|---|---|---|---|---|---|---|---|---|---|"];
  for (const { rows } of all) {
    for (const r of rows) {
      const floor = rows.find((f) => f.target === "static /help" && f.clients === r.clients)!;
      const ratio = floor.p95 > 0 ? (r.p95 / floor.p95).toFixed(2) : "-";
      lines.push(`| ${r.db} | ${r.target} | ${r.clients} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${ratio} | ${r.errors} | ${r.non2xx} | ${r.target === "save settings" ? r.refused : "-"} |`);
    }
  }
  return lines.join("\n");
}

async function main() {
  const all: { provider: string; rows: Row[]; peakRss: number }[] = [];
  for (const provider of ["sqlite", "postgresql"] as const) {
    console.log(`\n== ${provider} ==`);
    const { rows, peakRss } = await benchDatabase(provider);
    all.push({ provider, rows, peakRss });
    console.log(`${provider}: peak server memory (RSS) ${peakRss} MB`);
  }
  console.log("\n" + table(all));
  const errors = all.flatMap((a) => a.rows).filter((r) => r.clients === 50).reduce((n, r) => n + r.errors + r.non2xx, 0);
  const worstRatio = Math.max(...all.flatMap((a) => a.rows.filter((r) => r.target === "settings page" || r.target === "settings data" || r.target === "header data").map((r) => r.p95 / a.rows.find((f) => f.target === "static /help" && f.clients === r.clients)!.p95)));
  const peak = Math.max(...all.map((a) => a.peakRss));
  console.log(`\nGoals: errors at 50 clients = ${errors} (goal 0) ${errors === 0 ? "PASS" : "MISS"}; settings page and its data requests p95 / static p95 worst = ${worstRatio.toFixed(2)} (goal <= 3) ${worstRatio <= 3 ? "PASS" : "MISS"}; peak RSS = ${peak} MB (goal < 300) ${peak < 300 ? "PASS" : "MISS"}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
