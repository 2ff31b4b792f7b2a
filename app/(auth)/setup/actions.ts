"use server";
import { headers } from "next/headers";
import { signIn } from "@/lib/auth";
import { clientAddressFrom } from "@/lib/client-address.mjs";
import { formDataToObject, fromUserFacingError, invalidInput, logActionError, type ActionState } from "@/lib/action";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { env } from "@/lib/env";
import { completeSetup, isSetupComplete, SETUP_CLOSED_MESSAGE } from "@/lib/setup";
import { expectedSetupToken, SETUP_TOKEN_REFUSED, setupTokenMatches, setupTokenRequired } from "@/lib/setup-token";
import { setupSchema } from "@/lib/validation/account";

/** Public by nature (there is no user yet), so it refuses outright once any account exists. */
export async function setupAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  if (await isSetupComplete(db)) return { ok: false, message: SETUP_CLOSED_MESSAGE, at: Date.now() };
  const raw = formDataToObject(formData);
  const { password: _secret, setupToken: _token, ...values } = raw;
  const parsed = setupSchema.safeParse(raw);
  if (!parsed.success) return invalidInput(parsed.error, values);
  const config = env();
  const askToken = setupTokenRequired(config, clientAddressFrom(await headers()));
  if (askToken && !setupTokenMatches(parsed.data.setupToken, expectedSetupToken(config))) {
    return {
      ok: false,
      message: SETUP_TOKEN_REFUSED,
      errors: { setupToken: [SETUP_TOKEN_REFUSED] },
      values,
      at: Date.now(),
    };
  }
  const { setupToken: _used, ...input } = parsed.data;
  try {
    await completeSetup(db, input);
  } catch (err) {
    if (err instanceof UserFacingError) return fromUserFacingError(err, values);
    logActionError("setup", err);
    throw err;
  }
  await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo: "/" });
  return { ok: true, at: Date.now() };
}
