// Recognises database errors the domain turns into plain words, the same way on SQLite and PostgreSQL.
import { Prisma } from "./generated/sqlite/client";

/**
 * A unique constraint refused the write (Prisma's P2002). Both generated clients re-export the one error class
 * of @prisma/client/runtime/client, and both driver adapters report a duplicate key as P2002, so this holds on
 * either database (tests/integration/db-errors.test.ts).
 */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

/**
 * The database failed or could not be reached: a Prisma error of any kind, or the driver's own (a refused or timed
 * out connection, a read-only or locked SQLite file). The domain's own refusals (a unique key it expects) are
 * handled before an error gets this far.
 */
export function isDatabaseFailure(err: unknown): boolean {
  if (
    err instanceof Prisma.PrismaClientKnownRequestError ||
    err instanceof Prisma.PrismaClientUnknownRequestError ||
    err instanceof Prisma.PrismaClientInitializationError ||
    err instanceof Prisma.PrismaClientRustPanicError
  ) {
    return true;
  }
  const e = (err ?? {}) as { name?: unknown; code?: unknown; clientVersion?: unknown };
  // The Prisma client marks what it passes on from a query with its version: pg's own connection errors arrive so.
  if (typeof e.clientVersion === "string") return true;
  if (e.name === "DriverAdapterError" || e.name === "SqliteError") return true;
  // The network and PostgreSQL's connection (08), resource (53) and operator-intervention (57) classes, database gone.
  return (
    typeof e.code === "string" &&
    (CONNECTION_CODES.has(e.code) || /^(08|53|57)[0-9A-Z]{3}$/.test(e.code) || e.code === "3D000")
  );
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);
