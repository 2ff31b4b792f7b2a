// A fresh SQLite database per test run: a new file in a temp folder, migrated with the committed migrations
// through the same Prisma CLI wrapper the app uses (scripts/prisma.mjs).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseDatabaseUrl } from "../../lib/database-url";
import { createPrismaClient, type Db } from "../../lib/prisma";
import { migrateDatabase, ROOT } from "./migrate";

export { migrateDatabase, ROOT };

export type TestDatabase = { url: string; filePath: string; dir: string; db: Db; drop: () => Promise<void> };

export async function createTestDatabase(label = "test"): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fes-${label}-`));
  const filePath = path.join(dir, "app.db");
  const url = `file:${filePath}`;
  migrateDatabase(url);
  const db = createPrismaClient(parseDatabaseUrl(url));
  return {
    url,
    filePath,
    dir,
    db,
    async drop() {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
