// Credential check with a guessing throttle (lib/attempt-limit.ts records each attempt before its check):
// - a hard limit per (email, client address), so a guesser locks out only their own address, never the owner;
// - a looser hard limit per client address across all emails, against one address spraying many accounts;
// - per email, only a slowing delay once it has recent failures: the right password from a clean address
//   still gets through, a little later.
import type { Db } from "./prisma";
import {
  type AttemptLimit,
  forgetAttempts,
  otherAttempts,
  pruneAttempts,
  recordAttempts,
  retryAt,
} from "./attempt-limit";
import { recordAudit } from "./audit";
import { minutesUntil } from "./format";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "./password";

const WINDOW_MS = 15 * 60_000;
export const THROTTLE = {
  perEmailAndAddress: { max: 5, windowMs: WINDOW_MS },
  perAddress: { max: 20, windowMs: WINDOW_MS },
  /** From this many recent failures for an email, each attempt on it waits, doubling up to the cap. */
  slowdown: { afterFailures: 5, firstDelayMs: 1000, maxDelayMs: 8000 },
} as const satisfies { perEmailAndAddress: AttemptLimit; perAddress: AttemptLimit; slowdown: object };

/** The wait before checking a password for an email with this many failures in the window. */
export function slowdownMs(failures: number): number {
  const { afterFailures, firstDelayMs, maxDelayMs } = THROTTLE.slowdown;
  if (failures < afterFailures) return 0;
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(failures - afterFailures, 10));
}

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "expired" }
  | { ok: false; reason: "throttled"; retryAt: Date };

export const INVALID_CREDENTIALS_MESSAGE = "That email and password do not match an account.";
export const TEMPORARY_PASSWORD_EXPIRED_MESSAGE =
  "This temporary password has expired. Ask an owner or admin of your organisation to add you again with a new one.";

export function throttledMessage(retryAt: Date, now = new Date()): string {
  return `Too many failed sign-in attempts. Sign-in is paused for ${minutesUntil(retryAt, now)}; try again then, or ask an owner to reset your access.`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function authenticate(
  db: Db,
  input: { email: string; password: string; clientAddress: string | null },
  now = new Date(),
  wait: (ms: number) => Promise<void> = sleep,
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const address = input.clientAddress ?? "unknown";
  const keys = { pair: `email+ip:${email}|${address}`, address: `ip:${address}`, email: `email:${email}` };
  const ids = await recordAttempts(db, [keys.pair, keys.address, keys.email], now);

  const limits: [string, AttemptLimit][] = [
    [keys.pair, THROTTLE.perEmailAndAddress],
    [keys.address, THROTTLE.perAddress],
  ];
  let pausedUntil: Date | null = null;
  for (const [key, limit] of limits) {
    const until = retryAt(await otherAttempts(db, { key, ownIds: ids, windowMs: limit.windowMs, now }), limit);
    if (until && (!pausedUntil || until > pausedUntil)) pausedUntil = until;
  }
  if (pausedUntil) {
    await forgetAttempts(db, ids);
    return { ok: false, reason: "throttled", retryAt: pausedUntil };
  }
  const emailFailures = (await otherAttempts(db, { key: keys.email, ownIds: ids, windowMs: WINDOW_MS, now })).length;
  const delay = slowdownMs(emailFailures);
  if (delay > 0) await wait(delay);

  const user = await db.user.findUnique({
    where: { email },
    omit: { passwordHash: false },
    include: { memberships: { select: { orgId: true }, take: 1 } },
  });
  const valid = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyAgainstDummy(input.password);
  const orgId = user?.memberships[0]?.orgId ?? null;

  if (!user || !valid) {
    // The attempt's rows stay: they are the failure.
    await pruneAttempts(db, WINDOW_MS, now);
    if (user && orgId) {
      await recordAudit(db, { orgId, actor: { userId: user.id, email: user.email }, action: "sign_in.failed" });
    }
    return { ok: false, reason: "invalid" };
  }

  // A temporary password from an admin works for a limited time only (the member has not chosen their own yet).
  if (user.mustChangePassword && user.temporaryPasswordExpiresAt && user.temporaryPasswordExpiresAt <= now) {
    await forgetAttempts(db, ids);
    return { ok: false, reason: "expired" };
  }
  // A hash from before today's parameters is replaced now, while the password is at hand.
  if (needsRehash(user.passwordHash)) {
    await db.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash },
      data: { passwordHash: await hashPassword(input.password) },
    });
  }
  // The owner is in: their email's slowdown and this address's mistakes for it are forgotten (not other addresses').
  await db.signInFailure.deleteMany({ where: { OR: [{ id: { in: ids } }, { key: { in: [keys.email, keys.pair] } }] } });
  if (orgId)
    await recordAudit(db, { orgId, actor: { userId: user.id, email: user.email }, action: "sign_in.succeeded" });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}
