"use client";
import { useActionState } from "react";
import { FormMessage, SubmitButton, TextField } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { signInAction } from "./actions";

export function SignInForm({ callbackUrl }: { callbackUrl?: string }) {
  const [state, action] = useActionState(signInAction, {} as ActionState);
  return (
    <form action={action} className="space-y-4" noValidate key={state.at}>
      <FormMessage ok={state.ok} message={state.message} />
      {callbackUrl && <input type="hidden" name="callbackUrl" value={callbackUrl} />}
      <TextField
        name="email"
        label="Email"
        type="email"
        autoComplete="username"
        inputMode="email"
        defaultValue={state.values?.email}
        errors={state.errors?.email}
        required
        autoFocus
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        errors={state.errors?.password}
        required
      />
      <SubmitButton pendingLabel="Signing in…" className="w-full">
        Sign in
      </SubmitButton>
    </form>
  );
}
