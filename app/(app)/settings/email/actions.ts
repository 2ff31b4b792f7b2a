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
import { env } from "@/lib/env";
import { testSettings, type TestOutcome } from "@/lib/settings-test";
import { assertMailPort } from "@/lib/smtp/mail-ports";

export const saveEmailSettingsAction = memberAction(
  { name: "saveEmailSettings", minimum: "ADMIN", schema: emailSettingsSchema, secretFields: ["password"], ignoreFields: ["sendTo"] },
  async (input, ctx) => {
    assertMailPort(env().smtpAllowedPorts, input.port);
    const result = await saveEmailSettings(
      db,
      settingsKeyring(),
      { userId: ctx.user.id, email: ctx.user.email, name: ctx.user.name, orgId: ctx.org.id },
      input,
    );
    // The action's response carries the page again: new status, history and the form's new version.
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
  { name: "detectProvider", minimum: "ADMIN", schema: z.strictObject({ user: emailField }) },
  async (input) => {
    const found = await detectProvider(input.user);
    const data: Record<string, string> = found ? { presetId: found.presetId, reason: found.reason } : {};
    return { ok: true, data };
  },
);

/** The form's settings (same schema as saving) plus who to send to and whether to send or only check. */
const testRequestSchema = z.preprocess(
  (raw) => {
    const { sendTo, intent, ...settings } = (raw ?? {}) as Record<string, unknown>;
    return { sendTo, intent, settings };
  },
  z.strictObject({
    sendTo: emailField,
    intent: z.enum(["send", "check"], { error: "Choose Send test email or Check connection." }),
    settings: emailSettingsSchema,
  }),
);

export type TestResultForPage = Omit<TestOutcome, "runId">;

export const testEmailSettingsAction = memberAction<typeof testRequestSchema, TestResultForPage>(
  {
    name: "testEmailSettings",
    minimum: "ADMIN",
    schema: testRequestSchema,
    secretFields: ["password"],
    databaseFailure: "Could not run the test: the database did not answer. Nothing was changed; try again.",
  },
  async (input, ctx) => {
    const { smtpTestBudgetMs, SMTP_ALLOW_PRIVATE_NETWORKS, smtpAllowedPorts } = env();
    const { runId: _runId, ...outcome } = await testSettings(
      { db, keyring: settingsKeyring(), budgetMs: smtpTestBudgetMs, allowPrivate: SMTP_ALLOW_PRIVATE_NETWORKS, allowedPorts: smtpAllowedPorts },
      ctx,
      input.settings,
      { mode: input.intent, to: input.sendTo },
    );
    // The page's status and recent tests come back with this response.
    revalidatePath("/settings/email");
    const message = outcome.ok
      ? input.intent === "send"
        ? `Test email sent to ${input.sendTo}. It should arrive within a minute; check the spam folder too.`
        : "Connection works: the server accepted the sign-in, the sender and the recipient. No email was sent."
      : (outcome.diagnosis?.title ?? "The test failed.");
    return { ok: outcome.ok, message, result: outcome };
  },
);
