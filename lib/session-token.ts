// What a session token must still satisfy after its sign-in: issued under the user's current session version
// (a password change, "Sign out everywhere", or an admin's reset or removal moves it on), and signed in no longer
// ago than the absolute lifetime. Auth.js's jwt callback (lib/auth.ts) asks on every read of the session, so a
// refused token reads as no session anywhere (pages, actions, /api/auth/session) and its cookie is cleared.
import "server-only";
import type { Db } from "./prisma";

export type SessionTokenClaims = { sub?: string; sessionVersion?: number; signedInAt?: number };

/** True when a sign-in at `signedInAt` (seconds) is older than the absolute session lifetime. */
export function sessionExpired(signedInAt: number, maxAgeSeconds: number, now = Date.now()): boolean {
  return now / 1000 - signedInAt >= maxAgeSeconds;
}

export async function sessionTokenCurrent(
  db: Db,
  token: SessionTokenClaims,
  maxAgeSeconds: number,
  now = Date.now(),
): Promise<boolean> {
  // Tokens without a version or sign-in time come from before sessions could be ended: they sign in again.
  if (!token.sub || typeof token.sessionVersion !== "number" || typeof token.signedInAt !== "number") return false;
  if (sessionExpired(token.signedInAt, maxAgeSeconds, now)) return false;
  const user = await db.user.findUnique({ where: { id: token.sub }, select: { sessionVersion: true } });
  return user?.sessionVersion === token.sessionVersion;
}
