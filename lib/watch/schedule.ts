// When each organisation's account is checked. Time is cut into periods of ACCOUNT_CHECK_INTERVAL_MINUTES; each
// organisation has its own fixed offset into the period (from a hash of its id), so 10,000 accounts are spread over
// the interval instead of all checked on the hour. An account is due once per period, at its slot, and also at
// checkDueAt (2 minutes after a save). Pure functions: the PostgreSQL queue and the SQLite loop both use them.
import crypto from "node:crypto";
import type { Db } from "../prisma";

export function intervalMs(intervalMinutes: number): number {
  return intervalMinutes * 60_000;
}

/** The organisation's fixed offset into every period, in [0, interval). */
export function orgOffsetMs(orgId: string, interval: number): number {
  const hash = crypto.createHash("sha256").update(orgId).digest();
  return Number(hash.readBigUInt64BE(0) % BigInt(interval));
}

/** The organisation's current period: the number of its latest slot at or before now, and that slot's time. */
export function currentSlot(orgId: string, interval: number, now: Date): { period: number; at: Date } {
  const offset = orgOffsetMs(orgId, interval);
  const period = Math.floor((now.getTime() - offset) / interval);
  return { period, at: new Date(period * interval + offset) };
}

/** Checked within the last half period: too soon for a period's check (it waits for the next slot). */
export function checkedRecently(lastCheckAt: Date | null, interval: number, now: Date): boolean {
  return lastCheckAt !== null && now.getTime() - lastCheckAt.getTime() < interval / 2;
}

/** Why a check is due: its slot in this period has come and it has not been checked since, or a save asked for one. */
export type DueCheck = { orgId: string; host: string; key: string; startAfter: Date };

type Candidate = { orgId: string; host: string; lastCheckAt: Date | null; checkDueAt: Date | null; version: number };

/**
 * The checks due at `now` (or, with lookAheadMs, about to be: a queue can hold them until startAfter). The key names
 * one check: the same account in the same period, or after the same save, always gets the same key.
 */
export function dueChecks(accounts: Candidate[], interval: number, now: Date, lookAheadMs = 0): DueCheck[] {
  const due: DueCheck[] = [];
  for (const a of accounts) {
    if (a.checkDueAt) {
      // A save's check stands in for the period's: it is about to test the new settings anyway.
      if (a.checkDueAt.getTime() <= now.getTime() + lookAheadMs) {
        due.push({ orgId: a.orgId, host: a.host, key: `${a.orgId}:save:${a.version}`, startAfter: a.checkDueAt });
      }
      continue;
    }
    const slot = currentSlot(a.orgId, interval, now);
    // Not checked since its slot, and not within the last half period either: an account first checked just before
    // its slot (a new one, or after a backlog) waits for the next slot instead of being checked twice in minutes.
    if (
      !a.lastCheckAt ||
      (a.lastCheckAt.getTime() < slot.at.getTime() && !checkedRecently(a.lastCheckAt, interval, now))
    ) {
      due.push({ orgId: a.orgId, host: a.host, key: `${a.orgId}:${slot.period}`, startAfter: slot.at });
    }
  }
  return due;
}

/** Checks due now and not yet done (the operators' queue depth metric). */
export async function checkQueueDepth(db: Db, intervalMinutes: number, now = new Date()): Promise<number> {
  return dueChecks(await checkCandidates(db), intervalMs(intervalMinutes), now).length;
}

/** The accounts that are checked: saved, with a password or a linked mailbox to sign in with (NOT_SET_UP: disconnected). */
export async function checkCandidates(db: Db): Promise<Candidate[]> {
  const rows = await db.emailSettings.findMany({
    where: {
      status: { not: "NOT_SET_UP" },
      OR: [{ passwordCiphertext: { not: null } }, { org: { mailboxLink: { isNot: null } } }],
    },
    select: { orgId: true, host: true, lastCheckAt: true, checkDueAt: true, version: true },
  });
  return rows;
}
