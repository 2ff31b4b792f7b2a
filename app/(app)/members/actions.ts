"use server";
import { revalidatePath } from "next/cache";
import { memberAction } from "@/lib/action";
import { db } from "@/lib/db";
import { addMember, changeRole, removeMember, resetMemberPassword, type Actor } from "@/lib/members";
import type { MemberContext } from "@/lib/session";
import { addMemberSchema, changeRoleSchema, memberTargetSchema } from "@/lib/validation/account";

const actorOf = (ctx: MemberContext): Actor => ({
  userId: ctx.user.id,
  email: ctx.user.email,
  orgId: ctx.org.id,
  role: ctx.role,
});

export const addMemberAction = memberAction({ name: "addMember", minimum: "ADMIN", schema: addMemberSchema }, async (input, ctx) => {
  const { temporaryPassword } = await addMember(db, actorOf(ctx), input);
  revalidatePath("/members");
  return {
    ok: true,
    message: `${input.name} can now sign in with the temporary password below.`,
    data: { temporaryPassword, email: input.email },
  };
});

export const changeRoleAction = memberAction({ name: "changeRole", minimum: "ADMIN", schema: changeRoleSchema }, async (input, ctx) => {
  await changeRole(db, actorOf(ctx), input.membershipId, input.role);
  revalidatePath("/members");
  return { ok: true, message: "Role updated." };
});

export const removeMemberAction = memberAction({ name: "removeMember", minimum: "ADMIN", schema: memberTargetSchema }, async (input, ctx) => {
  await removeMember(db, actorOf(ctx), input.membershipId);
  revalidatePath("/members");
  return { ok: true, message: "Member removed." };
});

export const resetPasswordAction = memberAction({ name: "resetPassword", minimum: "ADMIN", schema: memberTargetSchema }, async (input, ctx) => {
  const { temporaryPassword, email, name } = await resetMemberPassword(db, actorOf(ctx), input.membershipId);
  revalidatePath("/members");
  return {
    ok: true,
    message: `${name} is signed out everywhere and can sign in with the temporary password below.`,
    data: { temporaryPassword, email },
  };
});
