"use server";
import { revalidatePath } from "next/cache";
import { memberAction } from "@/lib/action";
import { db } from "@/lib/db";
import { addMember, changeRole, removeMember, resetMemberPassword } from "@/lib/members";
import { setTimeZone } from "@/lib/organisation";
import { addMemberSchema, changeRoleSchema, memberTargetSchema } from "@/lib/validation/account";
import { timeZoneSchema } from "@/lib/validation/organisation";

export const addMemberAction = memberAction(
  { name: "addMember", minimum: "ADMIN", schema: addMemberSchema },
  async (input, ctx) => {
    const { temporaryPassword } = await addMember(db, ctx.actor, input);
    revalidatePath("/members");
    return {
      ok: true,
      message: `${input.name} can now sign in with the temporary password below.`,
      data: { temporaryPassword, email: input.email },
    };
  },
);

export const changeRoleAction = memberAction(
  { name: "changeRole", minimum: "ADMIN", schema: changeRoleSchema },
  async (input, ctx) => {
    await changeRole(db, ctx.actor, input.membershipId, input.role);
    revalidatePath("/members");
    return { ok: true, message: "Role updated." };
  },
);

export const removeMemberAction = memberAction(
  { name: "removeMember", minimum: "ADMIN", schema: memberTargetSchema },
  async (input, ctx) => {
    await removeMember(db, ctx.actor, input.membershipId);
    revalidatePath("/members");
    return { ok: true, message: "Member removed." };
  },
);

export const resetPasswordAction = memberAction(
  { name: "resetPassword", minimum: "ADMIN", schema: memberTargetSchema },
  async (input, ctx) => {
    const { temporaryPassword, email, name } = await resetMemberPassword(db, ctx.actor, input.membershipId);
    revalidatePath("/members");
    return {
      ok: true,
      message: `${name} is signed out everywhere and can sign in with the temporary password below.`,
      data: { temporaryPassword, email },
    };
  },
);

export const setTimeZoneAction = memberAction(
  { name: "setTimeZone", minimum: "ADMIN", schema: timeZoneSchema },
  async (input, ctx) => {
    const { changed } = await setTimeZone(db, ctx.actor, input.timeZone);
    // Every page shows times, in the frame (the failing banner) as well as in the pages.
    if (changed) revalidatePath("/", "layout");
    return {
      ok: true,
      message: changed ? `Times are now shown in ${input.timeZone}.` : "No change: that is the zone already.",
    };
  },
);
