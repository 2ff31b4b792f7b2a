"use server";
import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/lib/auth";
import { formDataToObject, invalidInput, logActionError, type ActionState } from "@/lib/action";
import { safeRedirectPath } from "@/lib/redirect-target";
import { INVALID_CREDENTIALS_MESSAGE, TEMPORARY_PASSWORD_EXPIRED_MESSAGE, throttledMessage } from "@/lib/sign-in";
import { signInSchema } from "@/lib/validation/account";

export async function signInAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const raw = formDataToObject(formData);
  const values = { email: raw.email ?? "" };
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return invalidInput(parsed.error, values);
  try {
    await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirectTo: safeRedirectPath(parsed.data.callbackUrl),
    });
  } catch (err) {
    if (err instanceof CredentialsSignin) {
      const message = err.code.startsWith("throttled:")
        ? throttledMessage(new Date(Number(err.code.slice("throttled:".length))))
        : err.code === "expired"
          ? TEMPORARY_PASSWORD_EXPIRED_MESSAGE
          : INVALID_CREDENTIALS_MESSAGE;
      return { ok: false, message, values, at: Date.now() };
    }
    if (err instanceof AuthError) {
      return { ok: false, message: "Sign-in failed. Please try again.", values, at: Date.now() };
    }
    logActionError("signIn", err); // not the redirect that completes a successful sign-in
    throw err;
  }
  return { ok: true, at: Date.now() };
}
