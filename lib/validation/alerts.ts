// The Alerts section's form schemas, shared by its forms and its server actions (lib/watch, app/(app)/settings/email).
import { z } from "zod";
import { REMINDER_CHOICES } from "../watch/reminder-choices";

const reminderValues = REMINDER_CHOICES.map((c) => c.value) as unknown as ["24", "72", "0"];

export const alertRemindersSchema = z.strictObject({
  reminderHours: z.enum(reminderValues, { error: "Choose how often to remind." }).transform(Number),
});

export const myAlertEmailsSchema = z.strictObject({
  alertEmails: z.enum(["on", "off"], { error: "Choose on or off." }).transform((v) => v === "on"),
});

export const webhookUrlField = z
  .string()
  .trim()
  .min(1, "Enter the webhook URL.")
  .max(2000, "The URL is too long.")
  .refine(
    (v) => URL.canParse(v) && new URL(v).protocol === "https:",
    "Enter an https:// URL, like the one Slack or Teams gives for an incoming webhook.",
  )
  .refine(
    (v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password),
    "Leave the user name and password out of the URL.",
  );

/** The form that sets the webhook (and the server action's input). */
export const webhookSchema = z.strictObject({ webhookUrl: webhookUrlField });
