"use server";
import { signOut } from "@/lib/auth";
import { db } from "@/lib/db";
import { getMemberContext } from "@/lib/session";
import { endAllSessions } from "@/lib/users";

// Takes no input. Any signed-in member may end their own sessions (even with a password change pending); without
// a valid session there is nothing to end, and the visitor is simply sent to sign in.
export async function signOutEverywhereAction() {
  const ctx = await getMemberContext();
  if (!ctx) return signOut({ redirectTo: "/sign-in" });
  await endAllSessions(db, { id: ctx.user.id, email: ctx.user.email, orgId: ctx.org.id });
  await signOut({ redirectTo: "/sign-in?signedOut=everywhere" });
}
