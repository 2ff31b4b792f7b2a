// Who is asking: the signed-in user, their organisation and role, read fresh from the database.
import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { auth } from "./auth";
import { db } from "./db";
import { hasRole, isRole, type Role } from "./roles";
import { isSetupComplete } from "./setup";

export type MemberContext = {
  user: { id: string; name: string; email: string; mustChangePassword: boolean };
  org: { id: string; name: string };
  role: Role;
  membershipId: string;
};

export const getMemberContext = cache(async (): Promise<MemberContext | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  const membership = await db.membership.findFirst({
    where: { userId },
    include: {
      user: { select: { id: true, name: true, email: true, mustChangePassword: true } },
      org: { select: { id: true, name: true } },
    },
    orderBy: { createdAt: "asc" },
  });
  if (!membership || !isRole(membership.role)) return null;
  return { user: membership.user, org: membership.org, role: membership.role, membershipId: membership.id };
});

/**
 * For pages: the member, or a redirect to where they must go first (setup, sign-in, a password change).
 * `minimum` sends a member without that role back to the dashboard.
 */
export async function requireMember(
  options: { minimum?: Role; allowPendingPasswordChange?: boolean; path?: string } = {},
): Promise<MemberContext> {
  if (!(await isSetupComplete(db))) redirect("/setup");
  const ctx = await getMemberContext();
  if (!ctx) redirect(options.path ? `/sign-in?callbackUrl=${encodeURIComponent(options.path)}` : "/sign-in");
  if (ctx.user.mustChangePassword && !options.allowPendingPasswordChange) redirect("/change-password");
  if (options.minimum && !hasRole(ctx.role, options.minimum)) redirect("/?denied=1");
  return ctx;
}
