"use server";
// The Alerts section's actions. Owners and admins only: reminders and the webhook are the organisation's; alert
// emails on or off is each person's own and changes nobody else's.
import { refreshFinanceEmail } from "./refresh";
import { z } from "zod";
import { memberAction } from "@/lib/action";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { nameLookup } from "@/lib/net/address-guard";
import { UserFacingError } from "@/lib/errors";
import { settingsKeyring } from "@/lib/secrets/keyring";
import { sendTestAlert } from "@/lib/watch/alert-outbox";
import { alertRemindersSchema, myAlertEmailsSchema, webhookSchema } from "@/lib/validation/alerts";
import { saveAlertReminders, setMyAlertEmails } from "@/lib/watch/alert-settings";
import { watchDeps } from "@/lib/watch/start";
import { removeWebhook, setWebhook, webhookUrlProblem } from "@/lib/watch/webhook";

export const saveAlertRemindersAction = memberAction(
  { name: "saveAlertReminders", minimum: "ADMIN", schema: alertRemindersSchema },
  async (input, ctx) => {
    await saveAlertReminders(db, ctx.actor, input.reminderHours);
    refreshFinanceEmail();
    return {
      ok: true,
      message: input.reminderHours
        ? `Saved. While the account fails, reminders go out every ${input.reminderHours} hours.`
        : "Saved. No reminders: only the first alert and the recovery notice.",
    };
  },
);

export const setMyAlertEmailsAction = memberAction(
  { name: "setMyAlertEmails", minimum: "ADMIN", schema: myAlertEmailsSchema },
  async (input, ctx) => {
    await setMyAlertEmails(db, ctx.actor, input.alertEmails);
    refreshFinanceEmail();
    return {
      ok: true,
      message: input.alertEmails
        ? "You will get alert emails again."
        : "You will no longer get alert emails. The others still do.",
    };
  },
);

export const setWebhookAction = memberAction(
  { name: "setWebhook", minimum: "ADMIN", schema: webhookSchema },
  async (input, ctx) => {
    const { webhooks, nameSources } = env();
    // Looked up as every delivery will be (lib/watch/start.ts): the hosts file, then DNS.
    const problem = await webhookUrlProblem(input.webhookUrl, { ...webhooks, lookup: nameLookup(nameSources) });
    if (problem) throw new UserFacingError(problem, "webhookUrl");
    const secret = await setWebhook({ db, keyring: settingsKeyring() }, ctx.org.id, input.webhookUrl);
    await recordAudit(db, {
      orgId: ctx.org.id,
      actor: ctx.actor,
      action: "alerts.webhook_set",
      details: { host: new URL(input.webhookUrl).host },
    });
    refreshFinanceEmail();
    // The secret goes to this admin's browser once, to copy into the receiving end; it is stored only encrypted.
    return {
      ok: true,
      message: "Webhook set. Copy its signing secret now: it is shown only this once.",
      data: { secret },
    };
  },
);

export const removeWebhookAction = memberAction(
  { name: "removeWebhook", minimum: "ADMIN", schema: z.object({}) },
  async (_input, ctx) => {
    await removeWebhook(db, ctx.org.id);
    await recordAudit(db, { orgId: ctx.org.id, actor: ctx.actor, action: "alerts.webhook_removed" });
    refreshFinanceEmail();
    return { ok: true, message: "Webhook removed. Alerts now go by email and on these pages only." };
  },
);

export const sendTestAlertAction = memberAction(
  { name: "sendTestAlert", minimum: "ADMIN", schema: z.object({}) },
  async (_input, ctx) => {
    const result = await sendTestAlert({ ...watchDeps(db, env()), keyring: settingsKeyring() }, ctx.org.id);
    refreshFinanceEmail();
    return result.ok
      ? { ok: true, message: "Test alert delivered: the webhook answered with success." }
      : { ok: false, message: `The test alert was not delivered: ${result.error ?? "unknown error"}.` };
  },
);
