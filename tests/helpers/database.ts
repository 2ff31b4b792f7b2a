// A fresh database per test file: a new SQLite file in a temp folder, or (TEST_DATABASE=postgresql) a new
// PostgreSQL database cloned from a template migrated once per set of migrations. Both are migrated with the
// committed migrations through the app's own Prisma CLI wrapper (scripts/prisma.mjs).
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseDatabaseUrl } from "../../lib/database-url";
import { createPrismaClient, type Db } from "../../lib/prisma";
import { migrateDatabase, ROOT } from "./migrate";
import { createPostgresDatabase } from "./postgres";

export { migrateDatabase, ROOT };

export type TestDatabase = {
  provider: "sqlite" | "postgresql";
  url: string;
  /** SQLite only: the database file. */
  filePath: string;
  dir: string;
  db: Db;
  /** Everything stored, as bytes: the SQLite file and journals, or a pg_dump of the database. */
  storedBytes: () => Promise<Buffer>;
  drop: () => Promise<void>;
};

export const TEST_PROVIDER: "sqlite" | "postgresql" =
  process.env.TEST_DATABASE === "postgresql" ? "postgresql" : "sqlite";

export async function createTestDatabase(label = "test"): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fes-${label}-`));
  if (TEST_PROVIDER === "postgresql") {
    const { url, drop } = await createPostgresDatabase(label);
    const db = createPrismaClient(parseDatabaseUrl(url));
    return {
      provider: "postgresql",
      url,
      filePath: "",
      dir,
      db,
      storedBytes: () =>
        Promise.resolve(execFileSync("pg_dump", ["--data-only", "--inserts", url], { maxBuffer: 64 * 1024 * 1024 })),
      async drop() {
        await db.$disconnect();
        await drop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const filePath = path.join(dir, "app.db");
  const url = `file:${filePath}`;
  migrateDatabase(url);
  const db = createPrismaClient(parseDatabaseUrl(url));
  return {
    provider: "sqlite",
    url,
    filePath,
    dir,
    db,
    storedBytes: () =>
      Promise.resolve(
        Buffer.concat(
          [filePath, `${filePath}-wal`, `${filePath}-journal`]
            .filter((f) => fs.existsSync(f))
            .map((f) => fs.readFileSync(f)),
        ),
      ),
    async drop() {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database for the enclosing describe block (created before its tests, dropped after them). */
export function useTestDatabase(label: string): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase(label);
  });
  afterAll(async () => {
    await current?.drop();
  });
  return () => current!;
}
