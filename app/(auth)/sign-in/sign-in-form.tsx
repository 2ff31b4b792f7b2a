"use client";
import { useActionState } from "react";
import { EmailField, FormMessage, PasswordField, SubmitButton } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { signInAction } from "./actions";

export function SignInForm({ callbackUrl }: { callbackUrl?: string }) {
  const [state, action] = useActionState(signInAction, {} as ActionState);
  return (
    <form action={action} className="space-y-4" noValidate key={state.at}>
      <FormMessage ok={state.ok} message={state.message} />
      {callbackUrl && <input type="hidden" name="callbackUrl" value={callbackUrl} />}
      <EmailField defaultValue={state.values?.email} errors={state.errors?.email} required autoFocus />
      <PasswordField purpose="current" name="password" label="Password" errors={state.errors?.password} required />
      <SubmitButton pendingLabel="Signing in…" className="w-full">
        Sign in
      </SubmitButton>
    </form>
  );
}
