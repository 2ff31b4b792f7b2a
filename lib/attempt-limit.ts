// Limits on password checks, shared by sign-in and the change-password page. Attempts are rows in the database, so
// every app instance counts them together, and each attempt is recorded *before* its check: of any number of
// parallel guesses, the ones recorded after the limit was reached see it and are refused without a check.
import type { Db } from "./prisma";

export type AttemptLimit = { max: number; windowMs: number };

/** Records one attempt under each key (at `now`) and returns their row ids. */
export async function recordAttempts(db: Db, keys: string[], now: Date): Promise<string[]> {
  const rows = await db.signInFailure.createManyAndReturn({
    data: keys.map((key) => ({ key, createdAt: now })),
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

/** The other attempts under `key` inside the window ending at `now`, newest first (in-flight ones included). */
export async function otherAttempts(
  db: Db,
  { key, ownIds, windowMs, now }: { key: string; ownIds: string[]; windowMs: number; now: Date },
): Promise<Date[]> {
  const rows = await db.signInFailure.findMany({
    where: { key, id: { notIn: ownIds }, createdAt: { gt: new Date(now.getTime() - windowMs) } },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  return rows.map((row) => row.createdAt);
}

/** When the limit is reached by `others` (newest first): the moment the oldest of the last `max` leaves the window. */
export function retryAt(others: Date[], limit: AttemptLimit): Date | null {
  return others.length >= limit.max ? new Date(others[limit.max - 1].getTime() + limit.windowMs) : null;
}

/** Removes attempts that were refused or turned out right: only wrong passwords stay counted. */
export async function forgetAttempts(db: Db, ids: string[]): Promise<void> {
  await db.signInFailure.deleteMany({ where: { id: { in: ids } } });
}

/** Drops every attempt that has left the window (kept small by each new failure). */
export async function pruneAttempts(db: Db, windowMs: number, now: Date): Promise<void> {
  await db.signInFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - windowMs) } } });
}
