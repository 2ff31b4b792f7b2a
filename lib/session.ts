// Who is asking: the signed-in user, their organisation and role, read fresh from the database.
import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import type { Actor } from "./actor";
import { auth } from "./auth";
import { db } from "./db";
import type { Db } from "./prisma";
import { hasRole, type Role } from "./roles";
import { isSetupComplete } from "./setup";

export type MemberContext = {
  user: { id: string; name: string; email: string; mustChangePassword: boolean };
  /** timeZone: the IANA zone the organisation's times are shown in. */
  org: { id: string; name: string; timeZone: string };
  role: Role;
  membershipId: string;
  /** The session version this request's token was issued under (a mail provider sign-in is bound to it). */
  sessionVersion: number;
  /** The same member as the domain functions take it. */
  actor: Actor;
};

/** What a session token says: who, and under which of the user's session versions it was issued. */
export type SessionClaims = { userId: string; sessionVersion: number };

/**
 * The member behind a session: their first membership, with its user and organisation. Every session is turned
 * into a member here and only here. The session version is part of the same query, so a token that is no longer
 * current never becomes a member, even between Auth.js's check (lib/session-token.ts) and this read.
 */
export async function loadMemberContext(database: Db, claims: SessionClaims): Promise<MemberContext | null> {
  const membership = await database.membership.findFirst({
    where: { userId: claims.userId, user: { sessionVersion: claims.sessionVersion } },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      role: true,
      user: { select: { id: true, name: true, email: true, mustChangePassword: true } },
      org: { select: { id: true, name: true, timeZone: true } },
    },
  });
  if (!membership) return null;
  const { user, org, role } = membership;
  const sessionVersion = claims.sessionVersion;
  return {
    user,
    org,
    role,
    membershipId: membership.id,
    sessionVersion,
    actor: { userId: user.id, email: user.email, name: user.name, orgId: org.id, role, sessionVersion },
  };
}

/** Auth.js's session, read (and its token checked) once per request however many components ask. */
export const getSession = cache(() => auth());

/** The signed-in member, from Auth.js's session; once per request however many components and checks ask. */
export const getMemberContext = cache(async (): Promise<MemberContext | null> => {
  const session = await getSession();
  const userId = session?.user?.id;
  const sessionVersion = session?.sessionVersion;
  if (!userId || typeof sessionVersion !== "number") return null;
  return loadMemberContext(db, { userId, sessionVersion });
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
  if (!ctx)
    return { redirectTo: options.path ? `/sign-in?callbackUrl=${encodeURIComponent(options.path)}` : "/sign-in" };
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
