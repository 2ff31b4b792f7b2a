// A real production server for one spec file: fresh SQLite database, migrated with the committed
// migrations, `next start` on a free port, and direct database access for assertions.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { test as base, expect, type Page } from "@playwright/test";
import { migrateDatabase, ROOT } from "../../helpers/migrate";
import { createPostgresDatabase } from "../../helpers/postgres";
import { hashPassword } from "../../../lib/password";

export type TestApp = {
  baseURL: string;
  dbPath: string;
  databaseUrl: string;
  sql: Database.Database;
  logs: () => string;
  stop: () => Promise<void>;
};

import { freePort } from "../../helpers/free-port";

export { freePort };

/** Stops a process started with `detached: true` and everything it started. */
export async function stopProcessGroup(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

export type AppOptions = {
  /** Which database a fresh one is made in (default SQLite). */
  database?: "sqlite" | "postgresql";
  /** Share an existing database instead (for several instances of one app). */
  shared?: { url: string; dbPath?: string; secrets: Record<string, string> };
  /** Listen on this port (from freePort) when something must know the address before the app starts. */
  port?: number;
  /**
   * The embedded default, as `npm start` runs with no configuration: no DATABASE_URL and no secrets, in a working
   * directory of its own, whose ./data holds the (migrated) database and the secrets it generates.
   */
  embedded?: boolean;
};

/** A fresh, migrated database for an app (or for several instances sharing it); embedded: at ./data/app.db in dir. */
export async function createAppDatabase(database: "sqlite" | "postgresql" = "sqlite", embedded = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-e2e-"));
  const secrets = {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
  };
  if (database === "postgresql") {
    const pgdb = await createPostgresDatabase("e2e");
    return { url: pgdb.url, dir, secrets, drop: pgdb.drop };
  }
  const dbPath = embedded ? path.join(dir, "data", "app.db") : path.join(dir, "app.db");
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const url = `file:${dbPath}`;
  migrateDatabase(url);
  return { url, dbPath, dir, secrets, drop: () => Promise.resolve() };
}

export async function startApp(extraEnv: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  const owned = options.shared ? undefined : await createAppDatabase(options.database, options.embedded);
  const shared = options.shared ?? owned!;
  const dir = owned?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "fes-e2e-"));
  const url = shared.url;
  const dbPath = shared.dbPath ?? "";
  const port = options.port ?? (await freePort());
  const baseURL = `http://127.0.0.1:${port}`;
  let output = "";
  const common: Record<string, string> = {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    // The scheduled checks run only in the specs about them (they pass WORKER=on), so no other spec's account is
    // checked behind its back.
    WORKER: "off",
    // The Deliverability card's lookups go to a closed local port ("could not be checked", at once) unless a spec
    // serves a zone of its own: no spec depends on this machine's DNS.
    DNS_SERVERS: "127.0.0.1:9",
  };
  const { DATABASE_URL: _url, AUTH_SECRET: _secret, SETTINGS_ENCRYPTION_KEY: _key, ...inherited } = process.env;
  // `npm start`, exactly as a user runs it (in its own process group, so stopping it stops next too); the embedded
  // default runs the same server.mjs from its own working directory.
  const child: ChildProcess = options.embedded
    ? spawn(process.execPath, [path.join(ROOT, "server.mjs")], {
        cwd: dir,
        detached: true,
        env: { ...inherited, ...common, ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn("npm", ["start", "--silent"], {
        cwd: ROOT,
        detached: true,
        env: { ...process.env, ...common, DATABASE_URL: url, DATA_DIR: dir, ...shared.secrets, ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited early:\n${output}`);
    try {
      const res = await fetch(`${baseURL}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not become healthy:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  // Direct SQL for assertions: better-sqlite3 on the SQLite file; PostgreSQL specs use `pgQuery` instead.
  const sql = dbPath ? new Database(dbPath) : (undefined as unknown as Database.Database);
  sql?.pragma("busy_timeout = 5000");
  return {
    baseURL,
    dbPath,
    databaseUrl: url,
    sql,
    logs: () => output,
    async stop() {
      sql?.close();
      await stopProcessGroup(child);
      if (owned) await owned.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const STRONG_PASSWORD = "correct-horse-finance-42";

/** SQL against the app's database, SQLite or PostgreSQL, with ? placeholders. */
export async function query<T = Record<string, unknown>>(
  app: TestApp,
  text: string,
  ...params: unknown[]
): Promise<T[]> {
  if (app.sql) {
    const stmt = app.sql.prepare(text);
    const bound = params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
    return (stmt.reader ? stmt.all(...bound) : (stmt.run(...bound), [])) as T[];
  }
  let n = 0;
  const client = new pg.Client({ connectionString: app.databaseUrl });
  await client.connect();
  try {
    return (
      await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as T[];
  } finally {
    await client.end();
  }
}

/** Inserts an organisation with members directly (for specs that are not about setup). */
export async function seedOrganisation(
  app: TestApp,
  orgName: string,
  users: {
    email: string;
    name: string;
    role: "OWNER" | "ADMIN" | "MEMBER";
    password?: string;
    mustChangePassword?: boolean;
  }[],
) {
  const orgId = `org_${crypto.randomUUID()}`;
  const now = new Date().toISOString();
  await query(app, `INSERT INTO "Organisation" (id, name, "createdAt") VALUES (?, ?, ?)`, orgId, orgName, now);
  for (const u of users) {
    const userId = `usr_${crypto.randomUUID()}`;
    const hash = await hashPassword(u.password ?? STRONG_PASSWORD);
    await query(
      app,
      `INSERT INTO "User" (id, email, name, "passwordHash", "mustChangePassword", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
      userId,
      u.email,
      u.name,
      hash,
      Boolean(u.mustChangePassword),
      now,
      now,
    );
    await query(
      app,
      `INSERT INTO "Membership" (id, "userId", "orgId", role, "createdAt") VALUES (?, ?, ?, ?, ?)`,
      `mem_${crypto.randomUUID()}`,
      userId,
      orgId,
      u.role,
      now,
    );
  }
  return orgId;
}

/** Saved settings for an organisation, straight into the database, in a given state (for specs about status). */
export async function seedEmailSettings(
  app: TestApp,
  orgId: string,
  state: { status: string; lastCheckAt?: Date; workedAt?: Date; lastTestError?: string },
) {
  await query(
    app,
    `INSERT INTO "EmailSettings" (id, "orgId", provider, host, port, security, username, "fromName", "fromAddress", "updatedAt", status, "lastCheckAt", "workedAt", "lastTestError", "failingSince") VALUES (?, ?, 'custom', 'smtp.example.com', 587, 'starttls', 'billing@example.com', '', 'billing@example.com', ?, ?, ?, ?, ?, ?)`,
    `set_${orgId}`,
    orgId,
    new Date().toISOString(),
    state.status,
    state.lastCheckAt?.toISOString() ?? null,
    state.workedAt?.toISOString() ?? null,
    state.lastTestError ?? null,
    state.status === "FAILING" ? new Date().toISOString() : null,
  );
}

/** origin: for a page outside the spec's fixtures (a spec that starts its own app, or browser.newPage()). */
export async function signIn(page: Page, email: string, password = STRONG_PASSWORD, origin = "") {
  await page.goto(`${origin}/sign-in`);
  await submitSignInForm(page, email, password);
  await expect(page).not.toHaveURL(/\/sign-in/);
}

/** Fills and submits the sign-in form on the page already open (the app's own, or a provider's of the same shape). */
export async function submitSignInForm(page: Page, email: string, password = STRONG_PASSWORD) {
  // Exact labels: the page being left may have others that contain these words (the Finance email tabs).
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Tries to sign in: the refusal shown (wrong password, too many attempts), or null once signed in. */
export async function attemptSignIn(page: Page, email: string, password: string): Promise<string | null> {
  await page.goto("/sign-in");
  await submitSignInForm(page, email, password);
  const refusal = page.getByRole("alert").filter({ hasText: /match|Too many/ });
  await Promise.race([refusal.waitFor(), page.waitForURL((u) => !u.pathname.startsWith("/sign-in"))]);
  if (!new URL(page.url()).pathname.startsWith("/sign-in")) return null;
  return (await refusal.textContent()) ?? "";
}

/** Signs in and opens the Finance email settings page. */
export async function openEmailSettings(page: Page, email: string) {
  await signIn(page, email);
  await page.goto("/settings/email");
}

/** Opens a part of the Finance email area by its tab, as a person would, and waits for it to be the current one. */
export async function openPart(page: Page, part: "Account" | "Deliverability" | "Alerts" | "History") {
  const tab = page.getByRole("navigation", { name: "Finance email" }).getByRole("link", { name: part });
  await tab.click();
  await expect(tab).toHaveAttribute("aria-current", "page");
}

/** Opens the "Advanced" disclosure that holds Server, TLS Port and Security once a provider is chosen, if closed. */
export async function openAdvanced(page: Page) {
  const advanced = page.getByTestId("advanced-server");
  if ((await advanced.count()) === 0) return;
  if (!(await advanced.evaluate((d) => (d as HTMLDetailsElement).open))) await advanced.locator("summary").click();
  await expect(page.getByLabel("Server", { exact: true })).toBeVisible();
}

/** Presses Save settings and waits for the confirmation that it saved. */
export async function saveSettings(page: Page) {
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
}

export function count(app: TestApp, sqlText: string, ...params: unknown[]): number {
  return (app.sql.prepare(sqlText).get(...params) as { n: number }).n;
}

let current: TestApp | undefined;

/**
 * Gives the calling spec file its own server and database: started before its first test, stopped after
 * its last. The `test` exported below points page.goto("/...") at it.
 */
export function useFreshApp(
  extraEnv: Record<string, string> | (() => Record<string, string>) = {},
  options: AppOptions = {},
): () => TestApp {
  base.beforeAll(async () => {
    // A function gives an environment that depends on something the spec starts first (a test server's address).
    current = await startApp(typeof extraEnv === "function" ? extraEnv() : extraEnv, options);
  });
  base.afterAll(async () => {
    await current?.stop();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("the app is not started");
    return current;
  };
}

export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(current?.baseURL);
  },
});

export type CapturedAction = { url: string; headers: Record<string, string>; body: Buffer };

/**
 * Records the server-action POST a browser makes while `trigger` runs. With `block`, the request is
 * aborted so the action never runs; the capture can then be replayed with other cookies.
 */
export async function captureServerAction(
  page: Page,
  trigger: () => Promise<void>,
  block = false,
): Promise<CapturedAction> {
  let captured: CapturedAction | undefined;
  await page.route("**/*", async (route) => {
    const req = route.request();
    const headers = await req.allHeaders();
    if (req.method() === "POST" && headers["next-action"] && !captured) {
      captured = { url: req.url(), headers, body: req.postDataBuffer() ?? Buffer.alloc(0) };
      if (block) return route.abort();
    }
    return route.continue();
  });
  await trigger();
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unrouteAll({ behavior: "ignoreErrors" });
  return captured!;
}

/** Replays a captured server action as a bare HTTP POST, with the given cookie header (or none). */
export async function replayServerAction(
  action: CapturedAction,
  options: { cookie?: string; replace?: [string, string][] } = {},
): Promise<{ status: number; text: string }> {
  let body = action.body.toString("latin1");
  for (const [from, to] of options.replace ?? []) body = body.split(from).join(to);
  const headers: Record<string, string> = {};
  for (const name of ["next-action", "content-type", "accept", "next-router-state-tree"]) {
    if (action.headers[name]) headers[name] = action.headers[name];
  }
  if (options.cookie) headers.cookie = options.cookie;
  const res = await fetch(action.url, {
    method: "POST",
    headers,
    body: Buffer.from(body, "latin1"),
    redirect: "manual",
  });
  return { status: res.status, text: await res.text() };
}

export async function cookieHeader(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

/** Fills the Finance email form for an "Other SMTP server", field by field as a person would; blank ones are left. */
export async function fillCustomSettings(
  page: Page,
  values: { host?: string; port?: string; user?: string; password?: string; fromName?: string; fromAddress?: string },
) {
  const labels = {
    host: "Server",
    port: "TLS Port",
    user: "User",
    password: "Password",
    fromName: "From name",
    fromAddress: "From address",
  } as const;
  await page.getByLabel("Provider", { exact: true }).selectOption("custom");
  for (const [key, label] of Object.entries(labels) as [keyof typeof labels, string][]) {
    const value = values[key];
    if (value !== undefined) await page.getByLabel(label, { exact: true }).fill(value);
  }
}
