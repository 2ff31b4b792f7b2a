"use server";
import { cookies } from "next/headers";
import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/lib/auth";
import { formDataToObject, invalidInput, logActionError, type ActionState } from "@/lib/action";
import { safeRedirectPath } from "@/lib/redirect-target";
import { appBaseUrl } from "@/lib/request-origin";
import {
  CODE_EXPIRED_MESSAGE,
  codeSentMessage,
  INVALID_CREDENTIALS_MESSAGE,
  TEMPORARY_PASSWORD_EXPIRED_MESSAGE,
  throttledMessage,
  WRONG_CODE_MESSAGE,
} from "@/lib/sign-in";
import { newChallenge, SIGN_IN_CODE } from "@/lib/sign-in-code";
import { signInCodeSchema, signInSchema } from "@/lib/validation/account";

/** The challenge a one-time code is kept under: only in this cookie, never in the page. */
const CHALLENGE_COOKIE = "fes-sign-in-challenge";
/** In the state, the form shows the one-time code step. */
const CODE_STEP = { step: "code" };

export async function signInAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const raw = formDataToObject(formData);
  if ("code" in raw) return codeStep(raw);
  const values = { email: raw.email ?? "" };
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return invalidInput(parsed.error, values);
  const challenge = newChallenge();
  try {
    await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      challenge,
      redirectTo: safeRedirectPath(parsed.data.callbackUrl),
    });
  } catch (err) {
    if (err instanceof CredentialsSignin && err.code === "code-required") {
      (await cookies()).set(CHALLENGE_COOKIE, challenge, {
        httpOnly: true,
        sameSite: "strict",
        secure: (await appBaseUrl()).startsWith("https:"),
        path: "/sign-in",
        maxAge: SIGN_IN_CODE.ttlMs / 1000,
      });
      return { ok: true, message: codeSentMessage(parsed.data.email), values, data: CODE_STEP, at: Date.now() };
    }
    return refused(err, values);
  }
  return { ok: true, at: Date.now() };
}

async function codeStep(raw: Record<string, string>): Promise<ActionState> {
  const parsed = signInCodeSchema.safeParse(raw);
  if (!parsed.success) return { ...invalidInput(parsed.error), data: CODE_STEP };
  const jar = await cookies();
  const challenge = jar.get(CHALLENGE_COOKIE)?.value;
  if (!challenge) return { ok: false, message: CODE_EXPIRED_MESSAGE, at: Date.now() };
  try {
    await signIn("credentials", {
      challenge,
      code: parsed.data.code,
      redirectTo: safeRedirectPath(parsed.data.callbackUrl),
    });
  } catch (err) {
    if (err instanceof CredentialsSignin && err.code === "code-wrong") {
      return {
        ok: false,
        message: WRONG_CODE_MESSAGE,
        errors: { code: ["This is not the code we sent."] },
        data: CODE_STEP,
        at: Date.now(),
      };
    }
    if (err instanceof CredentialsSignin) jar.delete({ name: CHALLENGE_COOKIE, path: "/sign-in" });
    return refused(err, {});
  }
  return { ok: true, at: Date.now() };
}

/** A refused sign-in in words, back at the password step; anything else (the redirect of a success) is rethrown. */
function refused(err: unknown, values: Record<string, string>): ActionState {
  if (err instanceof CredentialsSignin) {
    const message = err.code.startsWith("throttled:")
      ? throttledMessage(new Date(Number(err.code.slice("throttled:".length))))
      : err.code === "expired"
        ? TEMPORARY_PASSWORD_EXPIRED_MESSAGE
        : err.code === "code-expired"
          ? CODE_EXPIRED_MESSAGE
          : INVALID_CREDENTIALS_MESSAGE;
    return { ok: false, message, values, at: Date.now() };
  }
  if (err instanceof AuthError) {
    return { ok: false, message: "Sign-in failed. Please try again.", values, at: Date.now() };
  }
  logActionError("signIn", err); // not the redirect that completes a successful sign-in
  throw err;
}
