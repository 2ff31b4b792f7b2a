// Builds a Prisma client over the driver adapter for a database target: better-sqlite3 for the embedded
// default, pg for PostgreSQL. The app uses the single instance in lib/db.ts; scripts and tests build their own.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import {
  DEFAULT_DATABASE_TIMEOUTS,
  postgresSsl,
  withoutSslParams,
  type DatabaseTarget,
  type DatabaseTimeouts,
} from "./database-url";

/** Columns that must never leave a query unless asked for by name. */
const omit = { user: { passwordHash: true } } as const;

function sqliteClient(filePath: string) {
  // busy timeout: several app instances may write the same file; wait for the lock rather than fail.
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: filePath, timeout: 10_000 }), omit });
}

/** Both providers generate the same models (tests/unit/schema-parity.test.ts), so one client type serves both. */
export type Db = ReturnType<typeof sqliteClient>;

export function createPrismaClient(target: DatabaseTarget, timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS): Db {
  if (target.provider === "sqlite") return sqliteClient(target.filePath);
  const adapter = new PrismaPg({
    connectionString: withoutSslParams(target.url),
    ssl: postgresSsl(target.url),
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    // Enforced by the server, and by the client too in case the server itself stops answering.
    statement_timeout: timeouts.statementTimeoutMs,
    query_timeout: timeouts.statementTimeoutMs + 1_000,
  });
  return new PostgresClient({ adapter, omit }) as unknown as Db;
}

export type { Prisma } from "./generated/sqlite/client";
