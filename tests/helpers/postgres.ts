// PostgreSQL databases for tests: each one cloned from a template that is migrated once per set of migrations
// (cloning takes milliseconds; migrating takes a second). Free of the generated Prisma client, so the
// browser-test support code can use it too.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { migrateDatabase, ROOT } from "./migrate";

const ADMIN_URL = process.env.TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

export function postgresUrl(database: string) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs SQL as the PostgreSQL admin user. */
export async function adminQuery(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** The template for this set of migrations, made once (under an advisory lock, as test files run in parallel). */
async function postgresTemplate(): Promise<string> {
  const hash = crypto.createHash("sha256");
  const migrations = path.join(ROOT, "prisma/postgres/migrations");
  for (const name of fs.readdirSync(migrations).sort()) {
    const file = path.join(migrations, name, "migration.sql");
    if (fs.existsSync(file)) hash.update(name).update(fs.readFileSync(file));
  }
  // `db:migrate` also installs the job queue's schema (pg-boss): a new version of either makes a new template.
  hash.update(fs.readFileSync(path.join(ROOT, "scripts/prisma.mjs")));
  hash.update(
    (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/pg-boss/package.json"), "utf8")) as { version: string })
      .version,
  );
  const template = `fes_template_${hash.digest("hex").slice(0, 12)}`;
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(424242)");
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
    if (exists.rowCount === 0) {
      const stale = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'fes_template_%'",
      );
      for (const row of stale.rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${template}_building"`);
      migrateDatabase(postgresUrl(`${template}_building`));
      await client.query(`ALTER DATABASE "${template}_building" RENAME TO "${template}"`);
    }
    return template;
  } finally {
    await client.query("SELECT pg_advisory_unlock(424242)").catch(() => undefined);
    await client.end();
  }
}

/** A new, migrated, empty database; returns its URL and a function that drops it. */
export async function createPostgresDatabase(
  label: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const template = await postgresTemplate();
  const name = `fes_test_${label.replace(/\W/g, "_").slice(0, 20)}_${crypto.randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return {
    url: postgresUrl(name),
    name,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
