// Where the database is and what kind it is, decided once from DATABASE_URL.
// Shared by the app (lib/db.ts), the Prisma CLI config and the test harness; no server-only import.
import fs from "node:fs";
import path from "node:path";
import type { ConnectionOptions } from "node:tls";

export const DEFAULT_DATABASE_URL = "file:./data/app.db";

export type DatabaseTarget =
  { provider: "sqlite"; url: string; filePath: string } | { provider: "postgresql"; url: string };

export function parseDatabaseUrl(raw: string | undefined, cwd = process.cwd()): DatabaseTarget {
  const url = raw && raw.trim() !== "" ? raw.trim() : DEFAULT_DATABASE_URL;
  if (url.startsWith("file:")) {
    const rest = url
      .slice("file:".length)
      .replace(/^\/\/(?=\/)/, "")
      .split("?")[0];
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

const SSL_PARAMS = ["sslmode", "sslrootcert", "sslcert", "sslkey"] as const;

/**
 * The TLS settings a postgresql:// URL asks for, as libpq reads its sslmode: disable, allow and prefer connect
 * without TLS here; require, verify-ca and verify-full insist on it and verify the certificate (require as strictly
 * as verify-full, as node-postgres does); verify-ca does not check the host name. sslrootcert names a CA file.
 */
export function postgresSsl(url: string): false | ConnectionOptions {
  const params = new URL(url).searchParams;
  const mode = params.get("sslmode") ?? "disable";
  if (mode === "disable" || mode === "allow" || mode === "prefer") return false;
  if (!["require", "verify-ca", "verify-full"].includes(mode)) {
    throw new Error(
      `DATABASE_URL: sslmode=${mode} is not one of disable, allow, prefer, require, verify-ca, verify-full`,
    );
  }
  const rootCert = params.get("sslrootcert");
  return {
    rejectUnauthorized: true,
    ...(rootCert ? { ca: fs.readFileSync(rootCert, "utf8") } : {}),
    ...(mode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** The URL without its TLS parameters (node-postgres would let them override the ssl option built above). */
export function withoutSslParams(url: string): string {
  const parsed = new URL(url);
  for (const name of SSL_PARAMS) parsed.searchParams.delete(name);
  return parsed.toString();
}
