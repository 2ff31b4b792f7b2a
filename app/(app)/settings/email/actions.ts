"use server";
import { refreshFinanceEmail } from "./refresh";
import { z } from "zod";
import { memberAction, type ActionState } from "@/lib/action";
import { db } from "@/lib/db";
import { saveEmailSettings } from "@/lib/mailbox/settings";
import { appDnsResolver, checkDomainIfChanged } from "@/lib/deliverability/domain-checks";
import { settingsKeyring } from "@/lib/secrets/keyring";
import { nameLookup } from "@/lib/net/address-guard";
import { detectProvider } from "@/lib/smtp/detect";
import { emailSettingsSchema } from "@/lib/mailbox/schema";
import { emailField } from "@/lib/validation/account";
import { env } from "@/lib/env";
import { testSettings, type TestOutcome } from "@/lib/mailbox/test-run";
import { assertMailPort } from "@/lib/smtp/mail-ports";
import { cookies } from "next/headers";
import { appBaseUrl } from "@/lib/request-origin";
import { redirect } from "next/navigation";
import { OAUTH_PROVIDERS, type OAuthProviderId } from "@/lib/smtp/sign-in-providers";
import {
  disconnectMailbox,
  OAUTH_REQUEST_TTL_MS,
  OAUTH_STATE_COOKIE,
  redirectUri,
  startMailboxLink,
} from "@/lib/mailbox/link";

export const saveEmailSettingsAction = memberAction(
  {
    name: "saveEmailSettings",
    minimum: "ADMIN",
    schema: emailSettingsSchema,
    secretFields: ["password"],
    ignoreFields: ["sendTo", "signInProvider"],
  },
  async (input, ctx) => {
    assertMailPort(env().smtpAllowedPorts, input.port);
    const result = await saveEmailSettings({ db, keyring: settingsKeyring() }, ctx.actor, input);
    // A new From domain or provider is looked up here, so the Deliverability card comes back with its records (a
    // page render never looks anything up). The save stands whatever happens to the check.
    await checkDomainIfChanged(db, appDnsResolver(env().dnsServers), ctx.org.id).catch((err: unknown) =>
      console.error("Deliverability check after saving:", err),
    );
    // The action's response carries the page again: new status, history and the form's new version.
    refreshFinanceEmail();
    return {
      ok: true,
      message:
        result.changed.length === 0
          ? `Nothing has changed since the last save: mail goes through ${input.host}:${input.port}, ${input.security === "ssl" ? "SSL/TLS" : "STARTTLS"}, as ${input.user}.`
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
    ignoreFields: ["signInProvider"],
    databaseFailure: "Could not run the test: the database did not answer. Nothing was changed; try again.",
  },
  async (input, ctx) => {
    const { smtpTestBudgetMs, SMTP_ALLOW_PRIVATE_NETWORKS, smtpAllowedPorts, oauth, nameSources } = env();
    const { runId: _runId, ...outcome } = await testSettings(
      {
        db,
        keyring: settingsKeyring(),
        budgetMs: smtpTestBudgetMs,
        allowPrivate: SMTP_ALLOW_PRIVATE_NETWORKS,
        lookup: nameLookup(nameSources),
        allowedPorts: smtpAllowedPorts,
        oauth,
      },
      ctx,
      input.settings,
      { mode: input.intent, to: input.sendTo },
    );
    // The page's status and recent tests come back with this response.
    refreshFinanceEmail();
    const message = outcome.ok
      ? input.intent === "send"
        ? `Test email sent to ${input.sendTo}. It should arrive within a minute; check the spam folder too.`
        : "Connection works: the server accepted the sign-in, the sender and the recipient. No email was sent."
      : (outcome.diagnosis?.title ?? "The test failed.");
    return { ok: outcome.ok, message, result: outcome };
  },
);

// The Connect and Disconnect buttons sit in the settings form, whose other fields come along and are dropped.
const providerSchema = z.object({
  signInProvider: z.enum(Object.keys(OAUTH_PROVIDERS) as [OAuthProviderId, ...OAuthProviderId[]], {
    error: "Choose Microsoft or Google.",
  }),
});

/** "Connect with Microsoft/Google": starts the provider's sign-in for the finance mailbox (owners and admins). */
export const connectMailboxAction = memberAction(
  { name: "connectMailbox", minimum: "ADMIN", schema: providerSchema, secretFields: ["password"] },
  async (input, ctx) => {
    const config = env().oauth;
    const uri = redirectUri(await appBaseUrl(), input.signInProvider);
    const { url, state } = await startMailboxLink(
      { db, keyring: settingsKeyring(), oauth: config },
      {
        provider: input.signInProvider,
        actor: ctx.actor,
        redirectUri: uri,
      },
    );
    (await cookies()).set(OAUTH_STATE_COOKIE, state, {
      httpOnly: true,
      sameSite: "lax",
      secure: uri.startsWith("https:"),
      path: "/api/oauth",
      maxAge: OAUTH_REQUEST_TTL_MS / 1000,
    });
    redirect(url.href);
  },
);

/** A provider that keeps its permission after Disconnect (it publishes no way to revoke it, or revoking failed). */
export type DisconnectResult = { permissionKeptBy: OAuthProviderId | null };

/** "Disconnect": revokes (where the provider allows it) and forgets the mailbox's sign-in. */
export const disconnectMailboxAction = memberAction(
  { name: "disconnectMailbox", minimum: "ADMIN", schema: z.object({}), secretFields: ["password"] },
  async (_input, ctx): Promise<ActionState<DisconnectResult>> => {
    const removed = await disconnectMailbox({ db, keyring: settingsKeyring(), oauth: env().oauth }, ctx.actor);
    refreshFinanceEmail();
    if (!removed) return { ok: true, message: "No mailbox was connected." };
    return {
      ok: true,
      message: removed.revoked
        ? `Disconnected. The app no longer holds a sign-in for this mailbox, and its permission at ${OAUTH_PROVIDERS[removed.provider].label} was withdrawn.`
        : "Disconnected. The app no longer holds a sign-in for this mailbox.",
      result: { permissionKeptBy: removed.revoked ? null : removed.provider },
    };
  },
);
