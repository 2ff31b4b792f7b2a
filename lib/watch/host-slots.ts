// At most 5 checks at once against one SMTP host across the whole deployment (on PostgreSQL, where several
// instances work the queue). pg-boss's group concurrency keeps most fetches within the limit, but it counts active
// jobs without a lock, so two instances fetching at the same moment can both start a sixth; this makes the limit
// exact. A slot is a row (host, 0..4) taken with a conditional update, which PostgreSQL serialises per row; it is
// leased, not locked, so a process that dies mid-check frees its slot when the lease runs out.
import "server-only";
import crypto from "node:crypto";
import type { Db } from "../prisma";

const EPOCH = new Date(0);

export type HostSlot = { release(): Promise<void> };

/** Takes a free slot for the host, or returns null when all `limit` are held. */
export async function tryTakeHostSlot(
  db: Db,
  host: string,
  { limit, leaseMs }: { limit: number; leaseMs: number },
  now = new Date(),
): Promise<HostSlot | null> {
  const key = host.toLowerCase();
  const holder = crypto.randomUUID();
  for (let attempt = 0; attempt < 2; attempt++) {
    for (let slot = 0; slot < limit; slot++) {
      const taken = await db.hostSlot.updateMany({
        where: { host: key, slot, leaseUntil: { lt: now } },
        data: { holder, leaseUntil: new Date(now.getTime() + leaseMs) },
      });
      if (taken.count === 1) {
        return {
          release: async () => {
            await db.hostSlot.updateMany({
              where: { host: key, slot, holder },
              data: { holder: null, leaseUntil: EPOCH },
            });
          },
        };
      }
    }
    // First time this host is seen: make its slots (free), then try once more. Another instance may make them too.
    if (attempt === 0 && (await db.hostSlot.count({ where: { host: key } })) < limit) {
      for (let slot = 0; slot < limit; slot++) {
        await db.hostSlot.create({ data: { host: key, slot, leaseUntil: EPOCH } }).catch(() => undefined);
      }
    } else break;
  }
  return null;
}

/** Waits (polling, with jitter) until a slot is free, at most waitMs. null if none came free in time. */
export async function takeHostSlot(
  db: Db,
  host: string,
  options: { limit: number; leaseMs: number; waitMs: number },
): Promise<HostSlot | null> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const slot = await tryTakeHostSlot(db, host, options);
    if (slot || Date.now() >= deadline) return slot;
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
  }
}
