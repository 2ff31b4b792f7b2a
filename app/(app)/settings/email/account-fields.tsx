"use client";
// Two parts of the finance email form: the Password with what the chosen provider requires, and how mail is
// addressed (From address defaults to User, as the guide asks only for User and Password).
import Link from "next/link";
import { useState } from "react";
import { TextField } from "@/app/_components/form";
import type { FieldErrors } from "@/lib/action";
import { getPreset, GOOGLE_APP_PASSWORD_MESSAGE, isGooglePreset } from "@/lib/smtp/presets";

export function PasswordField({
  presetId,
  passwordSavedOn,
  errors,
  helpHref,
}: {
  presetId: string;
  /** When a password is saved: the field may stay blank to keep it. */
  passwordSavedOn: string | null;
  errors?: string[];
  helpHref: string;
}) {
  const preset = getPreset(presetId);
  return (
    <div>
      <TextField
        name="password"
        label="Password"
        type="password"
        errors={errors}
        autoComplete="new-password"
        placeholder={passwordSavedOn ? "••••••••••••" : undefined}
        hint={
          <>
            {passwordSavedOn && (
              <span className="block font-medium text-slate-700" data-testid="password-saved-note">
                Saved on {passwordSavedOn}; leave blank to keep it.
              </span>
            )}
            {preset?.passwordHint ?? "The password or app password for this account."}
          </>
        }
        helpHref={helpHref}
      />
      {errors?.[0] === GOOGLE_APP_PASSWORD_MESSAGE && (
        <Link
          href="/help/google-mail-smtp#app-password"
          className="mt-1 block text-sm font-medium text-brand-700 underline"
        >
          How to create a Google app password
        </Link>
      )}
    </div>
  );
}

/**
 * What to have ready before typing a password, right under Provider: for Google, 2-Step Verification and an app
 * password (the usual Google password is refused); for others, what the provider requires of the account.
 */
export function Preparation({ presetId }: { presetId: string }) {
  const preset = getPreset(presetId);
  if (isGooglePreset(presetId)) {
    return (
      <div
        className="rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-950"
        data-testid="google-notes"
      >
        <p className="font-medium">Before you start: Google needs two things</p>
        <ol className="mt-1 list-decimal space-y-0.5 pl-5">
          <li>
            <Link className="underline" href="/help/google-mail-smtp#two-step-verification">
              2-Step Verification
            </Link>{" "}
            turned on for the account.
          </li>
          <li>
            An{" "}
            <a className="underline" href="https://myaccount.google.com/apppasswords" target="_blank" rel="noreferrer">
              app password
            </a>{" "}
            (16 letters) to paste into Password below: your usual Google password will not work. Changing the Google
            password revokes it.{" "}
            <Link className="underline" href="/help/google-mail-smtp#app-password">
              How to create one
            </Link>
          </li>
        </ol>
      </div>
    );
  }
  if (!preset || preset.requirements.length === 0) return null;
  return (
    <div
      className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700"
      data-testid="provider-requirements"
    >
      <p className="font-medium text-slate-900">Before you start</p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5">
        {preset.requirements.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </div>
  );
}

export function AddressingFields({
  user,
  rewritesFrom,
  defaults,
  errors,
}: {
  /** What User holds now: the From address's placeholder and default. */
  user: string;
  /** The provider replaces a From address that is not the account's own or a verified alias. */
  rewritesFrom: boolean;
  defaults: { fromName: string; fromAddress: string; replyTo: string };
  errors: FieldErrors;
}) {
  const [fromAddress, setFromAddress] = useState(defaults.fromAddress);
  const differsFromUser = fromAddress.trim() !== "" && fromAddress.trim().toLowerCase() !== user.trim().toLowerCase();
  return (
    <fieldset className="space-y-4 border-t border-slate-100 pt-6">
      <legend className="text-base font-semibold text-slate-900">How your mail is addressed</legend>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          name="fromName"
          label="From name"
          defaultValue={defaults.fromName}
          errors={errors.fromName}
          hint="Optional: what recipients see, e.g. Riverside Physio Accounts."
        />
        <TextField
          name="fromAddress"
          label="From address"
          type="email"
          inputMode="email"
          value={fromAddress}
          onChange={setFromAddress}
          placeholder={user.includes("@") ? user : undefined}
          errors={errors.fromAddress}
          hint={
            differsFromUser && rewritesFrom
              ? "Use the account's own address or a verified alias, or Google will replace it."
              : "Optional: leave blank to send as User."
          }
        />
      </div>
      <TextField
        name="replyTo"
        label="Reply-to"
        type="email"
        inputMode="email"
        defaultValue={defaults.replyTo}
        errors={errors.replyTo}
        hint="Optional: where replies go, if not the From address."
      />
    </fieldset>
  );
}
