"use server";
import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import {
  formDataToObject,
  fromUserFacingError,
  invalidInput,
  logActionError,
  SESSION_ENDED,
  type ActionState,
} from "@/lib/action";
import { signIn } from "@/lib/auth";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { getMemberContext } from "@/lib/session";
import { changePassword } from "@/lib/users";
import { changePasswordSchema } from "@/lib/validation/account";

// Open to any signed-in member, including one who still has a temporary password, which memberAction refuses.
export async function changePasswordAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const ctx = await getMemberContext();
  if (!ctx) return { ok: false, message: SESSION_ENDED, at: Date.now() };
  const parsed = changePasswordSchema.safeParse(formDataToObject(formData));
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    await changePassword(db, { id: ctx.user.id, email: ctx.user.email, orgId: ctx.org.id }, parsed.data);
  } catch (err) {
    if (err instanceof UserFacingError) return fromUserFacingError(err);
    logActionError("changePassword", err);
    throw err;
  }
  // The change ended every session, this one too: sign this browser in again with the password just chosen.
  try {
    await signIn("credentials", { email: ctx.user.email, password: parsed.data.newPassword, redirect: false });
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    redirect("/sign-in?passwordChanged=1");
  }
  redirect("/?passwordChanged=1");
}
