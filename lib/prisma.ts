// Builds a Prisma client over the driver adapter for a database target. The app uses the single
// instance in lib/db.ts; command-line scripts and tests build their own from here.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/sqlite/client";
import type { DatabaseTarget } from "./database-url";

/** Columns that must never leave a query unless asked for by name. */
const omit = { user: { passwordHash: true } } as const;

export function createPrismaClient(target: DatabaseTarget) {
  if (target.provider !== "sqlite") throw new Error("PostgreSQL is not supported by this build yet");
  // busy timeout: several app instances may write the same file; wait for the lock rather than fail.
  const adapter = new PrismaBetterSQLite3({ url: target.filePath, timeout: 10_000 });
  return new PrismaClient({ adapter, omit });
}

export type Db = ReturnType<typeof createPrismaClient>;
export type { Prisma } from "./generated/sqlite/client";
