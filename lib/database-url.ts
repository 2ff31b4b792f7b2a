// Where the database is and what kind it is, decided once from DATABASE_URL.
// Shared by the app (lib/db.ts), the Prisma CLI config and the test harness; no server-only import.
import path from "node:path";

export const DEFAULT_DATABASE_URL = "file:./data/app.db";

export type DatabaseTarget =
  | { provider: "sqlite"; url: string; filePath: string }
  | { provider: "postgresql"; url: string };

export function parseDatabaseUrl(raw: string | undefined, cwd = process.cwd()): DatabaseTarget {
  const url = raw && raw.trim() !== "" ? raw.trim() : DEFAULT_DATABASE_URL;
  if (url.startsWith("file:")) {
    const rest = url.slice("file:".length).replace(/^\/\/(?=\/)/, "").split("?")[0];
    if (rest === "") throw new Error("DATABASE_URL: a file: URL needs a path, e.g. file:./data/app.db");
    return { provider: "sqlite", url, filePath: path.resolve(cwd, rest) };
  }
  if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
    return { provider: "postgresql", url };
  }
  throw new Error("DATABASE_URL must be a file: URL (SQLite) or a postgresql:// URL");
}

/** How long to wait for a PostgreSQL connection and for one statement, so a dead database fails in seconds. */
export type DatabaseTimeouts = { connectTimeoutMs: number; statementTimeoutMs: number };
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 5_000, statementTimeoutMs: 15_000 };
