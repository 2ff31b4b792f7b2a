// zod schemas for accounts, shared by each form and the server action behind it (the server is the authority).
import { z } from "zod";
import { ROLES } from "../roles";
import { isCommonPassword } from "./common-passwords";
import { timeZoneField } from "./organisation";
import { PASSWORD_MIN_LENGTH } from "./password-policy";

export { PASSWORD_MIN_LENGTH };

const noLineBreaks = (v: string) => !/[\r\n]/.test(v);

export const emailField = z
  .string({ error: "Enter an email address." })
  .trim()
  .toLowerCase()
  .min(1, "Enter an email address.")
  .max(320, "An email address is at most 320 characters.")
  .pipe(z.email("Enter a valid email address, like name@example.com."));

export const personNameField = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, "Enter a name.")
  .max(120, "Keep the name under 120 characters.")
  .refine(noLineBreaks, "A name cannot contain line breaks.");

export const newPasswordField = z
  .string({ error: "Enter a password." })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(1024, "A password is at most 1024 characters.")
  .refine((v) => !isCommonPassword(v), "This password is too common. Choose one that is harder to guess.");

export const roleField = z.enum(ROLES, { error: "Choose Owner, Admin or Member." });

export const setupSchema = z.strictObject({
  organisationName: z
    .string({ error: "Enter your organisation's name." })
    .trim()
    .min(1, "Enter your organisation's name.")
    .max(120, "Keep the name under 120 characters.")
    .refine(noLineBreaks, "A name cannot contain line breaks."),
  name: personNameField,
  email: emailField,
  password: newPasswordField,
  /** Filled by the browser (its own zone), not typed: one it does not send, or the app does not know, is UTC. */
  timeZone: timeZoneField.catch("UTC"),
  /** Asked for on a hosted deployment only (lib/setup-token.ts); checked by the setup action. */
  setupToken: z.string().max(200, "The setup token is at most 200 characters.").optional(),
});
export type SetupInput = Omit<z.infer<typeof setupSchema>, "setupToken">;

export const signInSchema = z.strictObject({
  email: emailField,
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024),
  callbackUrl: z.string().max(2048).optional(),
});
export type SignInInput = z.infer<typeof signInSchema>;

/** The second step of a sign-in: the one-time code from the email ("123 456" and "123-456" are read as 123456). */
export const signInCodeSchema = z.strictObject({
  code: z
    .string({ error: "Enter the code from the email." })
    .transform((v) => v.replace(/[\s-]/g, ""))
    .pipe(
      z
        .string()
        .min(1, "Enter the code from the email.")
        .regex(/^\d{6}$/, "The code is the 6 digits in the email."),
    ),
  callbackUrl: z.string().max(2048).optional(),
});

/** A browser's sign-in challenge (lib/sign-in-code.ts): 43 base64url characters. */
export const signInChallengeField = z.string().regex(/^[\w-]{43}$/);

export const addMemberSchema = z.strictObject({
  email: emailField,
  name: personNameField,
  role: roleField,
});
export type AddMemberInput = z.infer<typeof addMemberSchema>;

export const changeRoleSchema = z.strictObject({
  membershipId: z.string().min(1).max(64),
  role: roleField,
});

/** A form that acts on one member: remove them, or reset their password. */
export const memberTargetSchema = z.strictObject({
  membershipId: z.string().min(1).max(64),
});

export const changePasswordSchema = z
  .strictObject({
    currentPassword: z
      .string({ error: "Enter your current password." })
      .min(1, "Enter your current password.")
      .max(1024),
    newPassword: newPasswordField,
    confirmPassword: z.string({ error: "Repeat the new password." }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The two new passwords do not match.",
  })
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ["newPassword"],
    message: "Choose a password different from the current one.",
  });
