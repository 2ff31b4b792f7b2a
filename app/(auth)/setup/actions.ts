"use server";
import { signIn } from "@/lib/auth";
import { formDataToObject, fromUserFacingError, invalidInput, logActionError, type ActionState } from "@/lib/action";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { completeSetup, isSetupComplete, SETUP_CLOSED_MESSAGE } from "@/lib/setup";
import { setupSchema } from "@/lib/validation/account";

/** Public by nature (there is no user yet), so it refuses outright once any account exists. */
export async function setupAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  if (await isSetupComplete(db)) return { ok: false, message: SETUP_CLOSED_MESSAGE, at: Date.now() };
  const raw = formDataToObject(formData);
  const { password: _secret, ...values } = raw;
  const parsed = setupSchema.safeParse(raw);
  if (!parsed.success) return invalidInput(parsed.error, values);
  try {
    await completeSetup(db, parsed.data);
  } catch (err) {
    if (err instanceof UserFacingError) return fromUserFacingError(err, values);
    logActionError("setup", err);
    throw err;
  }
  await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo: "/" });
  return { ok: true, at: Date.now() };
}
