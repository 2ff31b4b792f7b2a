// Credential check with a guessing throttle. Failures are rows in the database, so every app instance
// counts them together: after MAX_FAILURES for one email or one client address within the window,
// further attempts are refused without checking the password.
import type { Db } from "./prisma";
import { recordAudit } from "./audit";
import { minutesUntil } from "./format";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "./password";

export const THROTTLE = { maxFailures: 5, windowMs: 15 * 60_000 } as const;

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "expired" }
  | { ok: false; reason: "throttled"; retryAt: Date };

export const INVALID_CREDENTIALS_MESSAGE = "That email and password do not match an account.";
export const TEMPORARY_PASSWORD_EXPIRED_MESSAGE =
  "This temporary password has expired. Ask an owner or admin of your organisation to add you again with a new one.";

export function throttledMessage(retryAt: Date, now = new Date()): string {
  return `Too many failed sign-in attempts. Sign-in is paused for ${minutesUntil(retryAt, now)}; try again then, or ask an owner to reset your access.`;
}

function throttleKeys(email: string, clientAddress: string | null): string[] {
  return clientAddress ? [`email:${email}`, `ip:${clientAddress}`] : [`email:${email}`];
}

async function throttledUntil(db: Db, keys: string[], now: Date): Promise<Date | null> {
  const since = new Date(now.getTime() - THROTTLE.windowMs);
  let until: Date | null = null;
  for (const key of keys) {
    const recent = await db.signInFailure.findMany({
      where: { key, createdAt: { gt: since } },
      orderBy: { createdAt: "desc" },
      take: THROTTLE.maxFailures,
      select: { createdAt: true },
    });
    if (recent.length >= THROTTLE.maxFailures) {
      // Refused until the oldest of the last N failures leaves the window.
      const retryAt = new Date(recent[recent.length - 1].createdAt.getTime() + THROTTLE.windowMs);
      if (!until || retryAt > until) until = retryAt;
    }
  }
  return until;
}

export async function authenticate(
  db: Db,
  input: { email: string; password: string; clientAddress: string | null },
  now = new Date(),
): Promise<SignInResult> {
  input = { ...input, email: input.email.trim().toLowerCase() };
  const keys = throttleKeys(input.email, input.clientAddress);
  const retryAt = await throttledUntil(db, keys, now);
  if (retryAt) return { ok: false, reason: "throttled", retryAt };

  const user = await db.user.findUnique({
    where: { email: input.email },
    omit: { passwordHash: false },
    include: { memberships: { select: { orgId: true }, take: 1 } },
  });
  const valid = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  const orgId = user?.memberships[0]?.orgId ?? null;

  if (!user || !valid) {
    await db.$transaction([
      db.signInFailure.createMany({ data: keys.map((key) => ({ key, createdAt: now })) }),
      db.signInFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - THROTTLE.windowMs) } } }),
    ]);
    if (user && orgId) {
      await recordAudit(db, { orgId, actor: { id: user.id, email: user.email }, action: "sign_in.failed" });
    }
    return { ok: false, reason: "invalid" };
  }

  // A temporary password from an admin works for a limited time only (the member has not chosen their own yet).
  if (user.mustChangePassword && user.temporaryPasswordExpiresAt && user.temporaryPasswordExpiresAt <= now) {
    return { ok: false, reason: "expired" };
  }
  // A hash from before today's parameters is replaced now, while the password is at hand.
  if (needsRehash(user.passwordHash)) {
    await db.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash },
      data: { passwordHash: await hashPassword(input.password) },
    });
  }
  await db.signInFailure.deleteMany({ where: { key: `email:${input.email}` } });
  if (orgId) await recordAudit(db, { orgId, actor: { id: user.id, email: user.email }, action: "sign_in.succeeded" });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

/**
 * The client's address as the nearest proxy saw it: the last X-Forwarded-For entry (Next sets the header
 * from the socket when there is no proxy). Used only to group failures for the throttle.
 */
export function clientAddressFrom(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded) {
    const parts = forwarded.split(",").map((p) => p.trim()).filter(Boolean);
    if (parts.length > 0) return parts[parts.length - 1].slice(0, 64);
  }
  return headers.get("x-real-ip")?.trim().slice(0, 64) || null;
}
