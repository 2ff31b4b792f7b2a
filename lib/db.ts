// The app's one database client. Created on first use, not at import, so `next build` needs no database.
// Outside production it lives on globalThis, so hot reload does not open a new connection each time.
import "server-only";
import { env } from "./env";
import { createPrismaClient, type Db } from "./prisma";

const globalForDb = globalThis as unknown as { financeEmailDb?: Db };

function client(): Db {
  if (!globalForDb.financeEmailDb) {
    const { database, databaseTimeouts } = env();
    globalForDb.financeEmailDb = createPrismaClient(database, databaseTimeouts);
  }
  return globalForDb.financeEmailDb;
}

export const db = new Proxy({} as Db, {
  get(_target, prop) {
    const c = client();
    const value: unknown = Reflect.get(c, prop);
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(c) : value;
  },
});
