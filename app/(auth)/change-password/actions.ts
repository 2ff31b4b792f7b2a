"use server";
import { redirect } from "next/navigation";
import { formDataToObject, fromUserFacingError, invalidInput, logActionError, SESSION_ENDED, type ActionState } from "@/lib/action";
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
    await changePassword(
      db,
      { id: ctx.user.id, email: ctx.user.email, orgId: ctx.org.id },
      parsed.data.currentPassword,
      parsed.data.newPassword,
    );
  } catch (err) {
    if (err instanceof UserFacingError) return fromUserFacingError(err);
    logActionError("changePassword", err);
    throw err;
  }
  redirect("/?passwordChanged=1");
}
