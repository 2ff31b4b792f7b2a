// The SMTP settings schema, shared by the email settings form and its server action (the server is the authority).
// Every value arrives as a string from FormData; each rule attaches a plain message to the field it is about.
import { z } from "zod";
import { isHostname, splitHostPort } from "../smtp/host";
import { getPreset, GOOGLE_APP_PASSWORD_MESSAGE, isGooglePreset, PRESET_IDS } from "../smtp/presets";

// The browser imports these from their own modules (no zod there); re-exported for the server side and tests.
export { GOOGLE_APP_PASSWORD_MESSAGE, splitHostPort };
export { EMAIL_SETTINGS_FIELD_LABELS, type EmailSettingsField } from "./field-labels";

const LINE_BREAKS = "Line breaks are not allowed here.";
const STALE_FORM = "The form is out of date. Reload the page and try again.";
const PORT_MESSAGE = "Enter a port number from 1 to 65535, like 587 or 465.";
export const FROM_NEEDED_MESSAGE =
  "Enter the address mail is sent from, like billing@example.com (User is not an email address, so it cannot be used).";

const noLineBreaks = (v: string) => !/[\r\n]/.test(v);

/** A string refused outright when it holds CR or LF (header injection), checked before trimming can hide a trailing one. */
const lineSafe = (error: string) => z.string({ error }).refine(noLineBreaks, { error: LINE_BREAKS, abort: true });
const singleLine = (error: string) => lineSafe(error).trim();

/** The first thing wrong with a trimmed server name, or null. */
function hostProblem(host: string): string | null {
  if (host === "") return "Enter the server name, like smtp.example.com.";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host);
  if (scheme) return `Enter only the server name, without ${scheme[1].toLowerCase()}://`;
  if (host.includes("/")) return "Enter only the server name, without a path (nothing from the first /).";
  if (/\s/.test(host)) return "The server name cannot contain spaces.";
  if (host.length > 253) return `The server name is too long (at most 253 characters; this one has ${host.length}).`;
  const split = splitHostPort(host);
  if (split) {
    return `Looks like the server and port together. Put ${split.host} in Server and ${split.port} in TLS Port.`;
  }
  if (!isHostname(host))
    return "The server name can contain only letters, digits, dots and hyphens, like smtp.example.com.";
  return null;
}

const hostField = singleLine("Enter the server name, like smtp.example.com.")
  .superRefine((value, ctx) => {
    const problem = hostProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  })
  .transform((v) => v.toLowerCase().replace(/\.$/, ""));

const portField = z.coerce
  .string({ error: PORT_MESSAGE })
  .refine(noLineBreaks, { error: LINE_BREAKS, abort: true })
  .trim()
  .regex(/^\d{1,5}$/, PORT_MESSAGE)
  .pipe(z.coerce.number<string>().int(PORT_MESSAGE).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE));

const isEmail = (v: string) => z.email().safeParse(v).success;

/**
 * A provider's preset server when Server (and TLS Port) are left blank. In the browser choosing a provider fills
 * them; without JavaScript the form posts them blank, and the server fills them the same way.
 */
function withPresetServer(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const input = raw as Record<string, unknown>;
  const preset = typeof input.provider === "string" ? getPreset(input.provider) : undefined;
  const blank = (v: unknown) => v === undefined || (typeof v === "string" && v.trim() === "");
  if (!preset?.host) return raw;
  const filled = { ...input };
  if (blank(input.host)) filled.host = preset.host;
  if (blank(input.host) && blank(input.port))
    Object.assign(filled, { port: String(preset.port), security: preset.security });
  if (blank(filled.security)) filled.security = preset.security;
  return filled;
}

/** The form's fields, each with its own rules; emailSettingsSchema adds the rules across fields. */
const emailSettingsFields = z.strictObject(
  {
    provider: lineSafe("Choose a provider from the list.").pipe(
      z.enum(PRESET_IDS, { error: "Choose a provider from the list." }),
    ),
    host: hostField,
    port: portField,
    security: lineSafe("Choose SSL/TLS or STARTTLS.").pipe(
      z.enum(["ssl", "starttls"], { error: "Choose SSL/TLS or STARTTLS." }),
    ),
    user: singleLine("Enter the user name, usually your full email address.")
      .min(1, { error: "Enter the user name, usually your full email address.", abort: true })
      .max(320, "The user name is at most 320 characters."),
    // Blank keeps the saved password. Not trimmed: outside Google, spaces can be part of a password.
    password: lineSafe("Enter the password.")
      .max(1024, "A password is at most 1024 characters.")
      .optional()
      .transform((v) => (v ? v : undefined)),
    fromName: singleLine("Enter a name for the From line.")
      .max(120, "Keep the name under 120 characters.")
      .optional()
      .transform((v) => v ?? ""),
    // Blank means "send as User" (the guide asks only for Server, TLS Port, User and Password).
    fromAddress: singleLine("Enter the address mail is sent from, like billing@example.com.")
      .max(320, "An email address is at most 320 characters.")
      .refine((v) => v === "" || isEmail(v), "Enter a valid email address, like billing@example.com.")
      .optional()
      .transform((v) => v ?? ""),
    replyTo: singleLine("Enter a valid email address, or leave Reply-to blank.")
      .max(320, "An email address is at most 320 characters.")
      .refine((v) => v === "" || isEmail(v), "Enter a valid email address, or leave Reply-to blank.")
      .optional()
      .transform((v) => (v ? v : undefined)),
    version: z.coerce
      .string({ error: STALE_FORM })
      .refine(noLineBreaks, { error: LINE_BREAKS, abort: true })
      .trim()
      .regex(/^\d{1,15}$/, STALE_FORM)
      .pipe(z.coerce.number<string>().int(STALE_FORM).min(0, STALE_FORM)),
  },
  {
    error: (issue) => (issue.code === "unrecognized_keys" ? `Unexpected field: ${issue.keys.join(", ")}.` : undefined),
  },
);

/** The names of the form's fields (for tests that every one has a label). */
export const EMAIL_SETTINGS_FIELD_NAMES = Object.keys(emailSettingsFields.shape);

export const emailSettingsSchema = z
  .preprocess(withPresetServer, emailSettingsFields)
  .superRefine(
    (value, ctx) => {
      if (!isGooglePreset(value.provider) || value.password === undefined) return;
      const compact = value.password.replace(/\s+/g, "");
      if (compact !== "" && !/^[a-z]{16}$/i.test(compact)) {
        ctx.addIssue({
          code: "custom",
          path: ["password"],
          message: GOOGLE_APP_PASSWORD_MESSAGE,
          input: value.password,
        });
      }
    },
    // Also run when other fields failed, so every problem shows at once; skip only if provider or password is unusable.
    {
      when: (payload) =>
        !payload.issues.some((i) => !i.path?.length || i.path[0] === "provider" || i.path[0] === "password"),
    },
  )
  .superRefine(
    (value, ctx) => {
      if (value.fromAddress === "" && !isEmail(value.user)) {
        ctx.addIssue({ code: "custom", path: ["fromAddress"], message: FROM_NEEDED_MESSAGE, input: value.fromAddress });
      }
    },
    {
      when: (payload) =>
        !payload.issues.some((i) => !i.path?.length || i.path[0] === "user" || i.path[0] === "fromAddress"),
    },
  )
  .transform((value) => {
    const fromAddress = value.fromAddress || value.user;
    if (!isGooglePreset(value.provider) || value.password === undefined) return { ...value, fromAddress };
    const password = value.password.replace(/\s+/g, "");
    return { ...value, fromAddress, password: password === "" ? undefined : password };
  });

export type EmailSettingsInput = z.infer<typeof emailSettingsSchema>;
export type EmailSettingsFormValues = z.input<typeof emailSettingsSchema>;
