"use client";
import { useActionState, useRef, useSyncExternalStore } from "react";
import { EmailField, FormMessage, PasswordField, SubmitButton, TextField } from "@/app/_components/form";
import { useFocusFirstInvalid } from "@/app/_components/use-focus-first-invalid";
import type { ActionState } from "@/lib/action";
import { PASSWORD_MIN_LENGTH } from "@/lib/validation/password-policy";
import { setupAction } from "./actions";

export function SetupForm({ askForToken }: { askForToken: boolean }) {
  const [state, action] = useActionState(setupAction, {} as ActionState);
  const v = state.values ?? {};
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, state);
  return (
    <form ref={form} action={action} className="space-y-4" noValidate key={state.at}>
      <FormMessage ok={state.ok} message={state.message} />
      <BrowserTimeZone />
      {askForToken && (
        <TextField
          name="setupToken"
          label="Setup token"
          autoComplete="off"
          errors={state.errors?.setupToken}
          hint="Printed in the server's log when it started (or the SETUP_TOKEN your deployment sets). It proves you run this server."
          required
          autoFocus
        />
      )}
      <TextField
        name="organisationName"
        label="Organisation name"
        autoComplete="organization"
        defaultValue={v.organisationName}
        errors={state.errors?.organisationName}
        hint="As your customers know it, e.g. Riverside Physiotherapy."
        required
        autoFocus={!askForToken}
      />
      <TextField
        name="name"
        label="Your name"
        autoComplete="name"
        defaultValue={v.name}
        errors={state.errors?.name}
        required
      />
      <EmailField defaultValue={v.email} errors={state.errors?.email} required />
      <PasswordField
        purpose="new"
        name="password"
        label="Password"
        errors={state.errors?.password}
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. A short sentence is easy to remember and hard to guess.`}
        required
      />
      <SubmitButton pendingLabel="Creating account…" className="w-full">
        Create account
      </SubmitButton>
    </form>
  );
}

const noSubscription = () => () => {};

/**
 * The organisation starts in the owner's own time zone, as their browser names it (changeable later on the Members
 * page). The server renders it empty; without JavaScript it stays empty and the organisation starts in UTC.
 */
function BrowserTimeZone() {
  const zone = useSyncExternalStore(
    noSubscription,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    () => "",
  );
  return <input type="hidden" name="timeZone" value={zone} />;
}
