"use client";
import { useActionState } from "react";
import { EmailField, FormMessage, PasswordField, SubmitButton, TextField } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { signInAction } from "./actions";

export function SignInForm({ callbackUrl }: { callbackUrl?: string }) {
  const [state, action] = useActionState(signInAction, {} as ActionState);
  // After the right password, when the account is being guessed at: the one-time code from the email.
  const codeStep = state.data?.step === "code";
  return (
    <form action={action} className="space-y-4" noValidate key={state.at}>
      <FormMessage ok={state.ok} message={state.message} />
      {callbackUrl && <input type="hidden" name="callbackUrl" value={callbackUrl} />}
      {codeStep ? (
        <TextField
          name="code"
          label="One-time code"
          autoComplete="one-time-code"
          inputMode="numeric"
          maxLength={12}
          errors={state.errors?.code}
          hint="The 6 digits in the email we just sent. No email after a few minutes? Check your spam folder, or reload this page and sign in again for a new code."
          required
          autoFocus
        />
      ) : (
        <>
          <EmailField defaultValue={state.values?.email} errors={state.errors?.email} required autoFocus />
          <PasswordField purpose="current" name="password" label="Password" errors={state.errors?.password} required />
        </>
      )}
      <SubmitButton pendingLabel="Signing in…" className="w-full">
        Sign in
      </SubmitButton>
    </form>
  );
}
