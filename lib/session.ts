// Who is asking: the signed-in user, their organisation and role, read fresh from the database.
import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { cookies } from "next/headers";
import { decode } from "next-auth/jwt";
import { db } from "./db";
import { env } from "./env";
import type { Db } from "./prisma";
import { hasRole, isRole, type Role } from "./roles";
import { isSetupComplete } from "./setup";

export type MemberContext = {
  user: { id: string; name: string; email: string; mustChangePassword: boolean };
  org: { id: string; name: string };
  role: Role;
  membershipId: string;
};

// Auth.js names its session cookie by scheme; a large token is split into name.0, name.1, ...
const SESSION_COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

type CookieReader = { get(name: string): { value: string } | undefined };

/**
 * Tokens already verified in this process, by their exact text, until they expire. Verifying (key derivation,
 * decryption, MAC through WebCrypto) cost more than the rest of a data request; a token is immutable, so the
 * same text verifies the same way until its expiry, which is checked again on every use. Only good tokens are
 * kept, at most MAX_VERIFIED (oldest dropped first), so made-up tokens cannot crowd it.
 */
const verifiedTokens = new Map<string, { userId: string; expiresAtMs: number }>();
const MAX_VERIFIED = 10_000;

/**
 * The signed-in user's id from the session cookie, or null. This is the check Auth.js's auth() makes
 * (its own decode: encrypted, authenticated, expiry enforced) without the rest of its request machinery;
 * sessions are refreshed by Auth.js's own routes, not here.
 */
export async function readSessionUserId(jar: CookieReader, secret: string, now = Date.now()): Promise<string | null> {
  for (const name of SESSION_COOKIE_NAMES) {
    let token = jar.get(name)?.value;
    if (token === undefined) {
      const chunks: string[] = [];
      for (let i = 0; jar.get(`${name}.${i}`); i++) chunks.push(jar.get(`${name}.${i}`)!.value);
      if (chunks.length === 0) continue;
      token = chunks.join("");
    }
    const cacheKey = `${secret}\u0000${name}\u0000${token}`;
    const known = verifiedTokens.get(cacheKey);
    if (known) {
      if (known.expiresAtMs > now) return known.userId;
      verifiedTokens.delete(cacheKey);
      return null;
    }
    try {
      const payload = await decode({ token, secret, salt: name });
      if (typeof payload?.sub !== "string") return null;
      if (typeof payload.exp === "number") {
        if (verifiedTokens.size >= MAX_VERIFIED) verifiedTokens.delete(verifiedTokens.keys().next().value!);
        verifiedTokens.set(cacheKey, { userId: payload.sub, expiresAtMs: payload.exp * 1000 });
      }
      return payload.sub;
    } catch {
      return null;
    }
  }
  return null;
}

type MembershipRow = {
  membershipId: string;
  role: string;
  userId: string;
  name: string;
  email: string;
  mustChangePassword: boolean;
  orgId: string;
  orgName: string;
};

/** The member behind a user id: one join (Prisma's include takes three queries; this runs on every request). */
export async function loadMemberContext(database: Db, userId: string): Promise<MemberContext | null> {
  const rows = await database.$queryRaw<MembershipRow[]>`
    SELECT m."id" AS "membershipId", m."role" AS "role", u."id" AS "userId", u."name" AS "name", u."email" AS "email",
           u."mustChangePassword" AS "mustChangePassword", o."id" AS "orgId", o."name" AS "orgName"
    FROM "Membership" m
    JOIN "User" u ON u."id" = m."userId"
    JOIN "Organisation" o ON o."id" = m."orgId"
    WHERE m."userId" = ${userId}
    ORDER BY m."createdAt" ASC
    LIMIT 1`;
  const row = rows[0];
  if (!row || !isRole(row.role)) return null;
  return {
    user: { id: row.userId, name: row.name, email: row.email, mustChangePassword: row.mustChangePassword },
    org: { id: row.orgId, name: row.orgName },
    role: row.role,
    membershipId: row.membershipId,
  };
}

export const getMemberContext = cache(async (): Promise<MemberContext | null> => {
  const userId = await readSessionUserId(await cookies(), env().AUTH_SECRET);
  return userId ? loadMemberContext(db, userId) : null;
});

export type MemberCheck = { ctx: MemberContext } | { redirectTo: string };

/**
 * The member, or where they must go first (setup, sign-in, a password change, or the dashboard when
 * `minimum` is not met). Pages redirect there (requireMember); JSON routes tell the browser to go there.
 */
export async function checkMember(
  options: { minimum?: Role; allowPendingPasswordChange?: boolean; path?: string } = {},
): Promise<MemberCheck> {
  if (!(await isSetupComplete(db))) return { redirectTo: "/setup" };
  const ctx = await getMemberContext();
  if (!ctx) return { redirectTo: options.path ? `/sign-in?callbackUrl=${encodeURIComponent(options.path)}` : "/sign-in" };
  if (ctx.user.mustChangePassword && !options.allowPendingPasswordChange) return { redirectTo: "/change-password" };
  if (options.minimum && !hasRole(ctx.role, options.minimum)) return { redirectTo: "/?denied=1" };
  return { ctx };
}

/** For pages: the member, or a redirect to where they must go first (see checkMember). */
export async function requireMember(options: Parameters<typeof checkMember>[0] = {}): Promise<MemberContext> {
  const result = await checkMember(options);
  if ("redirectTo" in result) redirect(result.redirectTo);
  return result.ctx;
}
