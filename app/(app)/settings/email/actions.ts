"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { memberAction } from "@/lib/action";
import { db } from "@/lib/db";
import { saveEmailSettings } from "@/lib/email-settings";
import { settingsKeyring } from "@/lib/settings-keyring";
import { detectProvider } from "@/lib/smtp/detect";
import { emailSettingsSchema } from "@/lib/smtp/schema";
import { emailField } from "@/lib/validation/account";

export const saveEmailSettingsAction = memberAction(
  { minimum: "ADMIN", schema: emailSettingsSchema, secretFields: ["password"] },
  async (input, ctx) => {
    const result = await saveEmailSettings(
      db,
      settingsKeyring(),
      { userId: ctx.user.id, email: ctx.user.email, name: ctx.user.name, orgId: ctx.org.id },
      input,
    );
    revalidatePath("/settings/email");
    return {
      ok: true,
      message:
        result.changed.length === 0
          ? "Nothing has changed since the last save."
          : `Saved. Changed: ${result.changed.join(", ")}. Send a test email to check the account works.`,
      data: { version: String(result.version) },
    };
  },
);

/** Suggests a preset for the User address (known mailbox domain, or the domain's MX). Never changes anything. */
export const detectProviderAction = memberAction(
  { minimum: "ADMIN", schema: z.strictObject({ user: emailField }) },
  async (input) => {
    const found = await detectProvider(input.user);
    const data: Record<string, string> = found ? { presetId: found.presetId, reason: found.reason } : {};
    return { ok: true, data };
  },
);
