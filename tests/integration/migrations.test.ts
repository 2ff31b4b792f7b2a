// The migrations that made closed sets enums and JSON text Json, each on a database that already holds data: migrated
// to just before it, filled the old way (text values, JSON as text), then migrated with `db:migrate`, every row keeps
// every value, and the converted columns read back as enum values and objects; a value it cannot convert stops it
// before any column changes. On SQLite, and on PostgreSQL with TEST_DATABASE=postgresql.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "@/lib/database-url";
import { createPrismaClient, type Db } from "@/lib/prisma";
import { TEST_PROVIDER } from "../helpers/database";
import { ROOT } from "../helpers/migrate";
import { adminQuery, postgresUrl } from "../helpers/postgres";

const MIGRATION = "20261203093000_enums_and_json";
/** The same for the last three text columns: a test run's mode and steps, and the settings' security. */
const TEST_MODE_MIGRATION = "20261203100000_test_mode_steps_security";
const FOLDER = TEST_PROVIDER === "sqlite" ? "sqlite" : "postgres";
const T = "2026-11-20T10:00:00.000Z";

/** Runs the app's Prisma CLI wrapper (scripts/prisma.mjs) on the database; returns all it printed. */
function prisma(url: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts/prisma.mjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  const printed = result.stdout + result.stderr;
  if (result.status !== 0) throw new Error(`prisma ${args.join(" ")} failed:\n${printed}`);
  return printed;
}

/** Applies the committed migrations that come before `migration`, through a config that lists only those. */
function migrateToJustBefore(url: string, dir: string, migration: string) {
  const source = path.join(ROOT, "prisma", FOLDER, "migrations");
  const earlier = fs.readdirSync(source).filter((name) => /^\d+_/.test(name) && name < migration);
  expect(earlier.length).toBeGreaterThan(0);
  const migrations = path.join(dir, "migrations");
  for (const name of earlier) fs.cpSync(path.join(source, name), path.join(migrations, name), { recursive: true });
  fs.copyFileSync(path.join(source, "migration_lock.toml"), path.join(migrations, "migration_lock.toml"));
  const config = path.join(dir, "prisma.config.ts");
  fs.writeFileSync(
    config,
    `import base from ${JSON.stringify(path.join(ROOT, "prisma.config"))};\n` +
      `export default { ...base, schema: ${JSON.stringify(path.join(ROOT, "prisma", FOLDER, "schema.prisma"))}, migrations: { path: ${JSON.stringify(migrations)} } };\n`,
  );
  prisma(url, "migrate", "deploy", "--config", config);
}

/** SQL straight to the database, with ? placeholders: the rows are written as the app wrote them before. */
type Sql = {
  run: (text: string, ...params: unknown[]) => Promise<void>;
  count: (table: string) => Promise<number>;
  /** The column's type as the database declares it. */
  columnType: (table: string, column: string) => Promise<string>;
  close: () => Promise<void>;
};

async function openSql(url: string, filePath: string): Promise<Sql> {
  if (TEST_PROVIDER === "sqlite") {
    const db = new Database(filePath);
    return {
      run: (text, ...params) =>
        Promise.resolve(void db.prepare(text).run(...params.map((p) => (typeof p === "boolean" ? Number(p) : p)))),
      count: (table) => Promise.resolve((db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n),
      columnType: (table, column) =>
        Promise.resolve(
          (db.prepare(`SELECT type FROM pragma_table_info(?) WHERE name = ?`).get(table, column) as { type: string })
            .type,
        ),
      close: () => Promise.resolve(void db.close()),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    run: async (text, ...params) => {
      let n = 0;
      await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      );
    },
    count: async (table) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n,
    columnType: async (table, column) =>
      (
        await client.query<{ t: string }>(
          `SELECT data_type AS t FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`,
          [table, column],
        )
      ).rows[0].t,
    close: () => client.end(),
  };
}

const TABLES = [
  "Organisation",
  "User",
  "Membership",
  "AuditEvent",
  "EmailSettings",
  "SmtpTestRun",
  "MailboxLink",
  "OAuthRequest",
  "AccountCheck",
  "AlertDelivery",
  "DomainCheck",
];
const STATUSES = ["NOT_SET_UP", "UNTESTED", "WORKING", "FAILING"] as const;
const ROLES = ["OWNER", "ADMIN", "MEMBER"] as const;
const STEPS = ["lookup", "connect", "tls", "auth", "envelope", "message"] as const;
const CHANGES = {
  changes: {
    host: { from: "", to: "smtp.example.com" },
    security: { from: "STARTTLS", to: "SSL/TLS" },
    password: "changed",
  },
};
const STEPS_TEXT = JSON.stringify([{ id: "lookup", label: "Address lookup", status: "ok", ms: 3 }]);
const PAYLOAD = {
  event: "account.failing",
  organisation: { id: "org-0", name: "Zoë's Clinic" },
  diagnosis: {
    id: "bad-credentials",
    title: "The password was refused",
    advice: ["Check the app password.", "Save again."],
  },
  since: "2026-11-20T09:00:00.000Z",
  pageUrl: "https://finance.example/settings/email",
};
const REPORT = {
  domain: "clinic.example",
  handledByProvider: false,
  spf: { verdict: "pass", records: ["v=spf1 include:_spf.example ~all"] },
  mx: [] as string[],
};

async function writeOldRows(sql: Sql) {
  for (const [i, status] of STATUSES.entries()) {
    const org = `org-${i}`;
    await sql.run(`INSERT INTO "Organisation" (id, name) VALUES (?, ?)`, org, `Clinic ${i}`);
    // The UNTESTED row takes the column's default, as a first save did.
    const settings = `INSERT INTO "EmailSettings" (id, "orgId", provider, host, port, security, username, "fromName", "fromAddress", "updatedAt"`;
    if (status === "UNTESTED") {
      await sql.run(
        `${settings}) VALUES (?, ?, 'custom', 'smtp.example.com', 465, ?, 'finance@clinic.example', 'Finance', 'finance@clinic.example', ?)`,
        `es-${i}`,
        org,
        "ssl",
        T,
      );
    } else {
      await sql.run(
        `${settings}, status) VALUES (?, ?, 'custom', 'smtp.example.com', 587, ?, 'finance@clinic.example', 'Finance', 'finance@clinic.example', ?, ?)`,
        `es-${i}`,
        org,
        "starttls",
        T,
        status,
      );
    }
  }
  for (const [i, role] of ROLES.entries()) {
    await sql.run(
      `INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt") VALUES (?, ?, ?, 'hash', ?)`,
      `user-${i}`,
      `p${i}@clinic.example`,
      `Person ${i}`,
      T,
    );
    await sql.run(
      `INSERT INTO "Membership" (id, "userId", "orgId", role) VALUES (?, ?, 'org-0', ?)`,
      `m-${i}`,
      `user-${i}`,
      role,
    );
  }
  await sql.run(
    `INSERT INTO "AuditEvent" (id, "orgId", action, details) VALUES ('a-1', 'org-0', 'email_settings.saved', ?)`,
    JSON.stringify(CHANGES),
  );
  await sql.run(
    `INSERT INTO "AuditEvent" (id, "orgId", action, details) VALUES ('a-2', 'org-0', 'member.added', ?)`,
    JSON.stringify({ email: "p1@clinic.example", role: "ADMIN" }),
  );
  await sql.run(`INSERT INTO "AuditEvent" (id, "orgId", action) VALUES ('a-3', 'org-0', 'sign_in.succeeded')`);

  const run = `INSERT INTO "SmtpTestRun" (id, "orgId", "userId", "userEmail", mode, recipient, host, port`;
  await sql.run(
    `${run}) VALUES ('run-1', 'org-0', 'user-0', 'p0@clinic.example', 'send', 'to@clinic.example', 'smtp.example.com', 587)`,
  );
  await sql.run(
    `${run}, outcome, steps) VALUES ('run-2', 'org-0', 'user-0', 'p0@clinic.example', 'check', 'to@clinic.example', 'smtp.example.com', 587, 'SUCCESS', ?)`,
    STEPS_TEXT,
  );
  await sql.run(
    `${run}, outcome, "failedStep") VALUES ('run-3', 'org-0', 'user-0', 'p0@clinic.example', 'send', 'to@clinic.example', 'smtp.example.com', 587, 'FAILURE', 'auth')`,
  );
  for (const [i, step] of [...STEPS, null].entries()) {
    await sql.run(
      `INSERT INTO "AccountCheck" (id, "orgId", "checkedAt", ok, "failedStep", "durationMs") VALUES (?, 'org-2', ?, ?, ?, 40)`,
      `check-${i}`,
      T,
      step === null,
      step,
    );
  }

  const link = `INSERT INTO "MailboxLink" (id, "orgId", provider, email, subject, "refreshTokenCiphertext", "updatedAt") VALUES (?, ?, ?, 'finance@clinic.example', 'sub', 'v1.k.x', ?)`;
  await sql.run(link, "link-0", "org-0", "microsoft", T);
  await sql.run(link, "link-1", "org-1", "google", T);
  const request = `INSERT INTO "OAuthRequest" ("stateHash", provider, "orgId", "userId", "sessionVersion", "codeVerifierCiphertext", nonce) VALUES (?, ?, 'org-0', 'user-0', 0, 'v1.k.y', 'n')`;
  await sql.run(request, "state-0", "google");
  await sql.run(request, "state-1", "microsoft");

  const delivery = `INSERT INTO "AlertDelivery" (id, "orgId", event, channel, target, payload, "nextAttemptAt", "createdAt"`;
  await sql.run(
    `${delivery}) VALUES ('d-1', 'org-3', 'account.failing', 'email', 'p0@clinic.example', ?, ?, ?)`,
    JSON.stringify(PAYLOAD),
    T,
    T,
  );
  await sql.run(
    `${delivery}, status) VALUES ('d-2', 'org-3', 'account.failing', 'webhook', 'hooks.example', ?, ?, ?, 'SENT')`,
    JSON.stringify(PAYLOAD),
    T,
    T,
  );
  await sql.run(
    `${delivery}, status) VALUES ('d-3', 'org-3', 'alert.test', 'webhook', 'hooks.example', ?, ?, ?, 'FAILED')`,
    JSON.stringify({ ...PAYLOAD, since: null }),
    T,
    T,
  );
  await sql.run(
    `INSERT INTO "DomainCheck" (id, "orgId", domain, "presetId", "checkedAt", report, "spfVerdict", "dmarcVerdict") VALUES ('dc-1', 'org-2', 'clinic.example', 'custom', ?, ?, 'pass', 'n/a')`,
    T,
    JSON.stringify(REPORT),
  );
}

type OldDatabase = { url: string; filePath: string; dir: string; drop: () => Promise<void> };

/** A new database, migrated to just before `migration`. */
async function oldDatabase(label: string, migration = MIGRATION): Promise<OldDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fes-${label}-`));
  const filePath = path.join(dir, "app.db");
  let url = `file:${filePath}`;
  let dropDatabase = () => Promise.resolve();
  if (TEST_PROVIDER === "postgresql") {
    const name = `fes_test_${label}_${crypto.randomBytes(4).toString("hex")}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    url = postgresUrl(name);
    dropDatabase = async () => void (await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
  migrateToJustBefore(url, dir, migration);
  return {
    url,
    filePath,
    dir,
    drop: async () => {
      await dropDatabase();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Expects db:migrate to stop at `migration` with an error matching `pattern`, then marks the failed attempt rolled back
 * as `prisma migrate resolve --rolled-back` does (that command needs the schema engine binary, absent here).
 */
async function refusedAndRolledBack(old: OldDatabase, sql: Sql, migration: string, pattern: RegExp) {
  expect(() => prisma(old.url, "migrate", "deploy")).toThrow(pattern);
  await sql.run(
    `UPDATE "_prisma_migrations" SET rolled_back_at = ? WHERE migration_name = ? AND finished_at IS NULL`,
    new Date().toISOString(),
    migration,
  );
}

/** What db:migrate prints when a migration fails on SQLite: its driver adapter reports no message, only which one. */
const failedOnSqlite = (migration: string) => new RegExp(`Applying migration[\\s\\S]*${migration}`);

type Migrated = { old: OldDatabase; db: Db; countsBefore: number[]; output: string };

/** A database migrated to just before `migration`, filled by `write`, then migrated with db:migrate (what it printed). */
async function migratedWithRows(
  label: string,
  migration: string,
  tables: string[],
  write: (sql: Sql) => Promise<void>,
): Promise<Migrated> {
  const old = await oldDatabase(label, migration);
  try {
    const sql = await openSql(old.url, old.filePath);
    const countsBefore: number[] = [];
    try {
      await write(sql);
      for (const table of tables) countsBefore.push(await sql.count(table));
    } finally {
      await sql.close();
    }
    const output = prisma(old.url, "migrate", "deploy");
    return { old, db: createPrismaClient(parseDatabaseUrl(old.url)), countsBefore, output };
  } catch (err) {
    await old.drop();
    throw err;
  }
}

/**
 * For the enclosing describe block: an old database with rows, migrated before its tests (disconnected and dropped
 * after them), and a test that db:migrate applied `migration` without a warning.
 */
function useMigratedWithRows(...args: Parameters<typeof migratedWithRows>): () => Migrated {
  let migrated: Migrated | undefined;
  beforeAll(async () => {
    migrated = await migratedWithRows(...args);
  });

  afterAll(async () => {
    await migrated?.db.$disconnect();
    await migrated?.old.drop();
  });

  it("applies it with db:migrate, which prints no warning", () => {
    expect(migrated!.output).toContain(args[1]);
    expect(migrated!.output).toContain("All migrations have been successfully applied.");
    expect(migrated!.output).not.toMatch(/warning|will not be used/i);
  });
  return () => migrated!;
}

/** Each table's row count, through the migrated database's client. */
async function rowCounts(db: Db, tables: string[]): Promise<number[]> {
  const counts = await Promise.all(
    tables.map((table) => db.$queryRawUnsafe<{ n: unknown }[]>(`SELECT count(*) AS n FROM "${table}"`)),
  );
  return counts.map(([row]) => Number(row.n));
}

describe(`the enums and Json migration on ${TEST_PROVIDER}, with data`, () => {
  const migrated = useMigratedWithRows("migrations", MIGRATION, TABLES, writeOldRows);

  it("keeps every row", async () => {
    expect(await rowCounts(migrated().db, TABLES)).toEqual(migrated().countsBefore);
    expect(migrated().countsBefore.every((n) => n > 0)).toBe(true);
  });

  it("keeps the closed sets' values, now read as enum values", async () => {
    expect(
      await migrated().db.emailSettings.findMany({ orderBy: { id: "asc" }, select: { status: true, security: true } }),
    ).toEqual([
      { status: "NOT_SET_UP", security: "starttls" },
      { status: "UNTESTED", security: "ssl" },
      { status: "WORKING", security: "starttls" },
      { status: "FAILING", security: "starttls" },
    ]);
    expect((await migrated().db.membership.findMany({ orderBy: { id: "asc" } })).map((m) => m.role)).toEqual(ROLES);
    expect(
      await migrated().db.smtpTestRun.findMany({
        orderBy: { id: "asc" },
        select: { mode: true, outcome: true, failedStep: true, steps: true },
      }),
    ).toEqual([
      // db:migrate applies the later migrations too, so steps (JSON since TEST_MODE_MIGRATION) read back as arrays.
      { mode: "send", outcome: "RUNNING", failedStep: null, steps: [] },
      { mode: "check", outcome: "SUCCESS", failedStep: null, steps: JSON.parse(STEPS_TEXT) as unknown },
      { mode: "send", outcome: "FAILURE", failedStep: "auth", steps: [] },
    ]);
    expect(
      await migrated().db.accountCheck.findMany({ orderBy: { id: "asc" }, select: { ok: true, failedStep: true } }),
    ).toEqual([...STEPS, null].map((step) => ({ ok: step === null, failedStep: step })));
    expect((await migrated().db.mailboxLink.findMany({ orderBy: { id: "asc" } })).map((l) => l.provider)).toEqual([
      "microsoft",
      "google",
    ]);
    expect(
      (await migrated().db.oAuthRequest.findMany({ orderBy: { stateHash: "asc" } })).map((r) => r.provider),
    ).toEqual(["google", "microsoft"]);
    expect(
      await migrated().db.alertDelivery.findMany({
        orderBy: { id: "asc" },
        select: { event: true, channel: true, status: true, target: true },
      }),
    ).toEqual([
      { event: "account.failing", channel: "email", status: "PENDING", target: "p0@clinic.example" },
      { event: "account.failing", channel: "webhook", status: "SENT", target: "hooks.example" },
      { event: "alert.test", channel: "webhook", status: "FAILED", target: "hooks.example" },
    ]);
    // Queries filter on the enums as they did on the text.
    expect(await migrated().db.emailSettings.count({ where: { status: { not: "NOT_SET_UP" } } })).toBe(3);
    expect(
      await migrated().db.alertDelivery.count({ where: { status: "PENDING", nextAttemptAt: { lte: new Date() } } }),
    ).toBe(1);
  });

  it("keeps the JSON, now read as objects", async () => {
    const events = await migrated().db.auditEvent.findMany({
      orderBy: { id: "asc" },
      select: { action: true, details: true },
    });
    expect(events).toEqual([
      { action: "email_settings.saved", details: CHANGES },
      { action: "member.added", details: { email: "p1@clinic.example", role: "ADMIN" } },
      { action: "sign_in.succeeded", details: {} },
    ]);
    const deliveries = await migrated().db.alertDelivery.findMany({
      orderBy: { id: "asc" },
      select: { payload: true },
    });
    expect(deliveries.map((d) => d.payload)).toEqual([PAYLOAD, PAYLOAD, { ...PAYLOAD, since: null }]);
    const check = await migrated().db.domainCheck.findUniqueOrThrow({ where: { orgId: "org-2" } });
    expect(check).toMatchObject({ report: REPORT, spfVerdict: "pass", dmarcVerdict: "n/a" });
    expect(typeof check.report).toBe("object");
  });

  it("keeps the columns' defaults", async () => {
    await migrated().db.organisation.create({ data: { id: "org-new", name: "New Clinic" } });
    const settings = await migrated().db.emailSettings.create({
      data: {
        orgId: "org-new",
        provider: "custom",
        host: "h",
        port: 587,
        security: "starttls",
        username: "u",
        fromName: "",
        fromAddress: "u@clinic.example",
      },
    });
    expect(settings.status).toBe("UNTESTED");
    expect((await migrated().db.auditEvent.create({ data: { orgId: "org-new", action: "x" } })).details).toEqual({});
    const run = await migrated().db.smtpTestRun.create({
      data: {
        orgId: "org-new",
        userId: "user-0",
        userEmail: "p0@clinic.example",
        mode: "send",
        recipient: "r@clinic.example",
        host: "h",
        port: 587,
      },
    });
    expect(run.outcome).toBe("RUNNING");
    const delivery = await migrated().db.alertDelivery.create({
      data: {
        orgId: "org-new",
        event: "alert.test",
        channel: "webhook",
        target: "hooks.example",
        payload: { event: "alert.test" },
        nextAttemptAt: new Date(),
        createdAt: new Date(),
      },
    });
    expect(delivery.status).toBe("PENDING");
  });
});

describe(`the enums and Json migration on ${TEST_PROVIDER}, with a value it cannot convert`, () => {
  let old: OldDatabase;
  let sql: Sql;

  beforeAll(async () => {
    old = await oldDatabase("migrations_refused");
    sql = await openSql(old.url, old.filePath);
  });

  afterAll(async () => {
    await sql?.close();
    await old?.drop();
  });

  it("stops before any column changes; once the row is fixed and the failed attempt rolled back, it applies", async () => {
    await sql.run(`INSERT INTO "Organisation" (id, name) VALUES ('org-0', 'Clinic')`);
    await sql.run(
      `INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt") VALUES ('user-0', 'p0@clinic.example', 'P', 'hash', ?)`,
      T,
    );
    await sql.run(
      `INSERT INTO "Membership" (id, "userId", "orgId", role) VALUES ('m-0', 'user-0', 'org-0', ?)`,
      TEST_PROVIDER === "postgresql" ? "SUPERUSER" : "OWNER",
    );
    await sql.run(`INSERT INTO "AuditEvent" (id, "orgId", action, details) VALUES ('a-1', 'org-0', 'x', 'not JSON')`);

    const refusedWith = (pattern: RegExp) => refusedAndRolledBack(old, sql, MIGRATION, pattern);
    if (TEST_PROVIDER === "postgresql") {
      // On PostgreSQL the enums are checked too (on SQLite they stay TEXT).
      await refusedWith(/invalid input value for enum "Role": "SUPERUSER"/);
      expect(await sql.columnType("Membership", "role")).toBe("text");
      await sql.run(`UPDATE "Membership" SET role = 'OWNER'`);
    }
    await refusedWith(
      TEST_PROVIDER === "postgresql" ? /invalid input syntax for type json/ : failedOnSqlite(MIGRATION),
    );
    expect(await sql.columnType("AuditEvent", "details")).toMatch(/^text$/i);
    expect(await sql.columnType("Membership", "role")).toMatch(/^text$/i);

    await sql.run(`UPDATE "AuditEvent" SET details = '{"fixed":true}'`);
    expect(prisma(old.url, "migrate", "deploy")).toContain("All migrations have been successfully applied.");
    const db = createPrismaClient(parseDatabaseUrl(old.url));
    try {
      expect(await db.auditEvent.findMany({ select: { id: true, details: true } })).toEqual([
        { id: "a-1", details: { fixed: true } },
      ]);
      expect(await db.membership.findMany({ select: { id: true, role: true } })).toEqual([
        { id: "m-0", role: "OWNER" },
      ]);
    } finally {
      await db.$disconnect();
    }
  });
});

/** A failed test send's steps as the app wrote them: JSON text (with quotes and non-ASCII in the server's reply). */
const FAILED_STEPS = [
  { id: "lookup", label: "Address lookup", status: "ok", ms: 3, detail: "smtp.example.com → 192.0.2.10" },
  { id: "connect", label: "Connection", status: "ok", ms: 21, detail: "Connected to 192.0.2.10:587" },
  { id: "tls", label: "TLS", status: "ok", ms: 34, detail: "STARTTLS; certificate verified" },
  {
    id: "auth",
    label: "Authentication",
    status: "failed",
    ms: 12,
    detail: `535 5.7.8 "Username and Password not accepted" (Zoë)`,
  },
  { id: "envelope", label: "Sender and recipient accepted", status: "skipped", ms: 0 },
  { id: "message", label: "Message accepted", status: "skipped", ms: 0 },
];
const CHECKED_STEPS = FAILED_STEPS.slice(0, 5).map((step) => ({ ...step, status: "ok", ms: 5, detail: "fine" }));
const T2 = "2026-12-01T08:30:00.000Z";
const REPLY = `535-5.7.8 Username and Password not accepted\n535 5.7.8 "BadCredentials"`;

/** The stored steps' JSON type, as the database sees it: "array" (a JSON string would be "string", on SQLite "text"). */
const STEPS_JSON_TYPES =
  TEST_PROVIDER === "postgresql"
    ? `SELECT id, jsonb_typeof(steps) AS t FROM "SmtpTestRun" ORDER BY id`
    : `SELECT id, json_type(steps) AS t FROM "SmtpTestRun" ORDER BY id`;

/** Rows as the app wrote them before TEST_MODE_MIGRATION: security and mode as text, steps as JSON text. */
async function writeRowsBeforeTestMode(sql: Sql) {
  const settings = `INSERT INTO "EmailSettings" (id, "orgId", provider, host, port, security, username, "fromName", "fromAddress", "updatedAt", status) VALUES (?, ?, 'custom', 'smtp.example.com', ?, ?, 'finance@clinic.example', 'Finance', 'finance@clinic.example', ?, ?)`;
  for (const [i, [port, security, status]] of [
    [465, "ssl", "WORKING"],
    [587, "starttls", "FAILING"],
  ].entries()) {
    await sql.run(`INSERT INTO "Organisation" (id, name) VALUES (?, ?)`, `org-${i}`, `Clinic ${i}`);
    await sql.run(settings, `es-${i}`, `org-${i}`, port, security, T, status);
  }
  const run = `INSERT INTO "SmtpTestRun" (id, "orgId", "userId", "userEmail", mode, recipient, host, port, "createdAt"`;
  // A run still reserved takes the steps column's default.
  await sql.run(
    `${run}) VALUES ('run-1', 'org-0', 'user-0', 'p0@clinic.example', 'send', 'to@clinic.example', 'smtp.example.com', 465, ?)`,
    T,
  );
  await sql.run(
    `${run}, outcome, "durationMs", steps, "matchesSaved") VALUES ('run-2', 'org-0', 'user-0', 'p0@clinic.example', 'check', 'to@clinic.example', 'smtp.example.com', 465, ?, 'SUCCESS', 25, ?, ?)`,
    T,
    JSON.stringify(CHECKED_STEPS),
    true,
  );
  await sql.run(
    `${run}, outcome, "failedStep", "diagnosisId", reply, "durationMs", steps) VALUES ('run-3', 'org-1', 'user-1', 'p1@clinic.example', 'send', 'p1@clinic.example', 'smtp.example.com', 587, ?, 'FAILURE', 'auth', 'bad-credentials', ?, 70, ?)`,
    T2,
    REPLY,
    JSON.stringify(FAILED_STEPS),
  );
}

describe(`the test mode, steps and security migration on ${TEST_PROVIDER}, with data`, () => {
  const tables = ["Organisation", "EmailSettings", "SmtpTestRun"];
  const migrated = useMigratedWithRows("migrations_test_mode", TEST_MODE_MIGRATION, tables, writeRowsBeforeTestMode);

  it("keeps every row and every value; steps now read as the array of step objects", async () => {
    expect(await rowCounts(migrated().db, tables)).toEqual(migrated().countsBefore);
    expect(migrated().countsBefore).toEqual([2, 2, 3]);

    const runs = await migrated().db.smtpTestRun.findMany({ orderBy: { id: "asc" } });
    const reserved = {
      orgId: "org-0",
      userId: "user-0",
      userEmail: "p0@clinic.example",
      recipient: "to@clinic.example",
      host: "smtp.example.com",
      port: 465,
      outcome: "RUNNING",
      failedStep: null,
      diagnosisId: null,
      reply: null,
      durationMs: null,
      steps: [],
      matchesSaved: false,
      createdAt: new Date(T),
    };
    expect(runs).toEqual([
      { ...reserved, id: "run-1", mode: "send" },
      {
        ...reserved,
        id: "run-2",
        mode: "check",
        outcome: "SUCCESS",
        durationMs: 25,
        steps: CHECKED_STEPS,
        matchesSaved: true,
      },
      {
        ...reserved,
        id: "run-3",
        orgId: "org-1",
        userId: "user-1",
        userEmail: "p1@clinic.example",
        recipient: "p1@clinic.example",
        port: 587,
        mode: "send",
        outcome: "FAILURE",
        failedStep: "auth",
        diagnosisId: "bad-credentials",
        reply: REPLY,
        durationMs: 70,
        steps: FAILED_STEPS,
        createdAt: new Date(T2),
      },
    ]);
    for (const run of runs) {
      expect(Array.isArray(run.steps)).toBe(true);
      for (const step of run.steps as unknown[]) expect(typeof step).toBe("object");
    }
    // Stored as JSON arrays, not as JSON strings holding the old text.
    expect(await migrated().db.$queryRawUnsafe(STEPS_JSON_TYPES)).toEqual([
      { id: "run-1", t: "array" },
      { id: "run-2", t: "array" },
      { id: "run-3", t: "array" },
    ]);

    expect(
      await migrated().db.emailSettings.findMany({
        orderBy: { id: "asc" },
        select: { orgId: true, port: true, security: true, status: true },
      }),
    ).toEqual([
      { orgId: "org-0", port: 465, security: "ssl", status: "WORKING" },
      { orgId: "org-1", port: 587, security: "starttls", status: "FAILING" },
    ]);
    // Queries filter on the enums as they did on the text.
    expect(await migrated().db.smtpTestRun.count({ where: { mode: "check" } })).toBe(1);
    expect(await migrated().db.smtpTestRun.count({ where: { mode: "send", outcome: { not: "RUNNING" } } })).toBe(1);
    expect(await migrated().db.emailSettings.count({ where: { security: "ssl" } })).toBe(1);
  });

  it("keeps the steps default, and stores steps written now as a JSON array", async () => {
    const created = await migrated().db.smtpTestRun.create({
      data: {
        id: "run-4",
        orgId: "org-1",
        userId: "user-1",
        userEmail: "p1@clinic.example",
        mode: "check",
        recipient: "r@clinic.example",
        host: "h",
        port: 587,
      },
    });
    expect(created.steps).toEqual([]);
    await migrated().db.smtpTestRun.update({
      where: { id: "run-4" },
      data: { outcome: "SUCCESS", steps: CHECKED_STEPS },
    });
    expect((await migrated().db.smtpTestRun.findUniqueOrThrow({ where: { id: "run-4" } })).steps).toEqual(
      CHECKED_STEPS,
    );
    expect(await migrated().db.$queryRawUnsafe(STEPS_JSON_TYPES)).toContainEqual({ id: "run-4", t: "array" });
  });
});

describe(`the test mode, steps and security migration on ${TEST_PROVIDER}, with a value it cannot convert`, () => {
  let old: OldDatabase;
  let sql: Sql;

  beforeAll(async () => {
    old = await oldDatabase("migrations_test_mode_refused", TEST_MODE_MIGRATION);
    sql = await openSql(old.url, old.filePath);
  });

  afterAll(async () => {
    await sql?.close();
    await old?.drop();
  });

  it("stops before any column changes; once the rows are fixed and the failed attempt rolled back, it applies", async () => {
    const postgres = TEST_PROVIDER === "postgresql";
    await sql.run(`INSERT INTO "Organisation" (id, name) VALUES ('org-0', 'Clinic')`);
    await sql.run(
      `INSERT INTO "EmailSettings" (id, "orgId", provider, host, port, security, username, "fromName", "fromAddress", "updatedAt") VALUES ('es-0', 'org-0', 'custom', 'h', 465, ?, 'u', '', 'u@clinic.example', ?)`,
      postgres ? "tls" : "ssl",
      T,
    );
    await sql.run(
      `INSERT INTO "SmtpTestRun" (id, "orgId", "userId", "userEmail", mode, recipient, host, port, steps) VALUES ('run-1', 'org-0', 'user-0', 'p0@clinic.example', ?, 'r@clinic.example', 'h', 465, 'not JSON')`,
      postgres ? "login" : "check",
    );
    const refusedWith = (pattern: RegExp) => refusedAndRolledBack(old, sql, TEST_MODE_MIGRATION, pattern);
    const unchanged = async () => {
      expect(await sql.columnType("EmailSettings", "security")).toMatch(/^text$/i);
      expect(await sql.columnType("SmtpTestRun", "mode")).toMatch(/^text$/i);
      expect(await sql.columnType("SmtpTestRun", "steps")).toMatch(/^text$/i);
    };

    if (postgres) {
      // On PostgreSQL the enums are checked too (on SQLite they stay TEXT).
      await refusedWith(/invalid input value for enum "Security": "tls"/);
      await unchanged();
      await sql.run(`UPDATE "EmailSettings" SET security = 'ssl'`);
      await refusedWith(/invalid input value for enum "TestRunMode": "login"/);
      await unchanged();
      await sql.run(`UPDATE "SmtpTestRun" SET mode = 'check'`);
    }
    await refusedWith(postgres ? /invalid input syntax for type json/ : failedOnSqlite(TEST_MODE_MIGRATION));
    await unchanged();

    await sql.run(`UPDATE "SmtpTestRun" SET steps = ?`, JSON.stringify(CHECKED_STEPS));
    expect(prisma(old.url, "migrate", "deploy")).toContain("All migrations have been successfully applied.");
    const db = createPrismaClient(parseDatabaseUrl(old.url));
    try {
      expect(await db.emailSettings.findMany({ select: { id: true, security: true } })).toEqual([
        { id: "es-0", security: "ssl" },
      ]);
      expect(await db.smtpTestRun.findMany({ select: { id: true, mode: true, steps: true } })).toEqual([
        { id: "run-1", mode: "check", steps: CHECKED_STEPS },
      ]);
    } finally {
      await db.$disconnect();
    }
  });
});

/** When each account last worked: the migration that adds it fills it in from what the database already knows. */
const WORKED_AT_MIGRATION = "20261203140000_settings_worked_at";

async function writeAccountsBeforeWorkedAt(sql: Sql) {
  const settings = `INSERT INTO "EmailSettings" (id, "orgId", provider, host, port, security, username, "fromName", "fromAddress", "updatedAt", status, "lastCheckAt", "failingSince", "alertOpenSince") VALUES (?, ?, 'custom', 'smtp.example.com', 587, 'starttls', 'finance@clinic.example', 'Finance', 'finance@clinic.example', ?, ?, ?, ?, ?)`;
  const accounts: [string, string, string | null, string | null, string | null][] = [
    ["working", "WORKING", T, null, null], // worked at its last check
    ["failing-after-checks", "FAILING", null, T2, null], // a check passed before it failed
    ["failing-after-a-test", "FAILING", null, T2, null], // a test passed before it failed
    ["alerted", "FAILING", null, T2, T2], // alerted about: an incident, whatever else is known
    ["never-worked", "FAILING", null, T2, null],
  ];
  for (const [name, status, lastCheckAt, failingSince, alertOpenSince] of accounts) {
    await sql.run(`INSERT INTO "Organisation" (id, name) VALUES (?, ?)`, `org-${name}`, name);
    await sql.run(settings, `es-${name}`, `org-${name}`, T, status, lastCheckAt, failingSince, alertOpenSince);
  }
  const check = `INSERT INTO "AccountCheck" (id, "orgId", "checkedAt", ok, "durationMs") VALUES (?, ?, ?, ?, 40)`;
  await sql.run(check, "check-1", "org-failing-after-checks", "2026-11-18T09:00:00.000Z", true);
  await sql.run(check, "check-2", "org-failing-after-checks", "2026-11-19T09:00:00.000Z", true);
  await sql.run(check, "check-3", "org-failing-after-checks", T2, false);
  await sql.run(check, "check-4", "org-never-worked", T2, false);
  const run = `INSERT INTO "SmtpTestRun" (id, "orgId", "userId", "userEmail", mode, recipient, host, port, "createdAt", outcome) VALUES (?, ?, 'user-0', 'p@clinic.example', 'send', 'to@clinic.example', 'smtp.example.com', 587, ?, ?)`;
  await sql.run(run, "run-1", "org-failing-after-a-test", "2026-11-17T09:00:00.000Z", "SUCCESS");
  await sql.run(run, "run-2", "org-never-worked", T2, "FAILURE");
}

describe(`the migration that records when each account last worked, on ${TEST_PROVIDER}`, () => {
  const tables = ["Organisation", "EmailSettings", "AccountCheck", "SmtpTestRun"];
  const migrated = useMigratedWithRows(
    "migrations_worked_at",
    WORKED_AT_MIGRATION,
    tables,
    writeAccountsBeforeWorkedAt,
  );

  it("fills it from the last passed check or test, or the alerted episode; an account that never worked has none", async () => {
    expect(await rowCounts(migrated().db, tables)).toEqual(migrated().countsBefore);
    const rows = await migrated().db.emailSettings.findMany({ select: { orgId: true, workedAt: true } });
    expect(Object.fromEntries(rows.map((r) => [r.orgId, r.workedAt?.toISOString() ?? null]))).toEqual({
      "org-working": T,
      "org-failing-after-checks": "2026-11-19T09:00:00.000Z",
      "org-failing-after-a-test": "2026-11-17T09:00:00.000Z",
      "org-alerted": T2,
      "org-never-worked": null,
    });
  });
});
