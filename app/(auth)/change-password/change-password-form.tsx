"use client";
import { useActionState } from "react";
import { FormMessage, PasswordField, SubmitButton } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { PASSWORD_MIN_LENGTH } from "@/lib/validation/password-policy";
import { changePasswordAction } from "./actions";

export function ChangePasswordForm({ temporary }: { temporary: boolean }) {
  const [state, action] = useActionState(changePasswordAction, {} as ActionState);
  return (
    <form action={action} className="space-y-4" noValidate key={state.at}>
      <FormMessage ok={state.ok} message={state.message} />
      <PasswordField
        purpose="current"
        name="currentPassword"
        label={temporary ? "Temporary password" : "Current password"}
        errors={state.errors?.currentPassword}
        required
        autoFocus
      />
      <PasswordField
        purpose="new"
        name="newPassword"
        label="New password"
        errors={state.errors?.newPassword}
        hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
        required
      />
      <PasswordField
        purpose="new"
        name="confirmPassword"
        label="Repeat new password"
        errors={state.errors?.confirmPassword}
        required
      />
      <SubmitButton pendingLabel="Saving…" className="w-full">
        Change password
      </SubmitButton>
    </form>
  );
}
