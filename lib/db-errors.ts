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
