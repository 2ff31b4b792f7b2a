"use client";
import { useActionState } from "react";
import { EmailField, FormMessage, SelectField, SubmitButton, TextField } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { ROLE_LABELS, type Role } from "@/lib/roles";
import { addMemberAction } from "./actions";
import { TemporaryPassword } from "./temporary-password";

export function AddMemberForm({ assignableRoles }: { assignableRoles: Role[] }) {
  const [state, action] = useActionState(addMemberAction, {} as ActionState);
  const v = state.ok ? {} : (state.values ?? {});
  return (
    <div className="space-y-4">
      {state.ok && state.data?.temporaryPassword ? (
        <TemporaryPassword email={state.data.email} password={state.data.temporaryPassword} message={state.message} />
      ) : (
        <FormMessage ok={state.ok} message={state.message} />
      )}
      <form
        action={action}
        className="grid gap-4 sm:grid-cols-[1fr_1fr_10rem_auto] sm:items-start"
        noValidate
        key={state.at}
      >
        <TextField
          name="name"
          label="Name"
          autoComplete="off"
          defaultValue={v.name}
          errors={state.errors?.name}
          required
        />
        <EmailField autoComplete="off" defaultValue={v.email} errors={state.errors?.email} required />
        <SelectField
          name="role"
          label="Role"
          defaultValue={v.role ?? "MEMBER"}
          options={assignableRoles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          errors={state.errors?.role}
        />
        <SubmitButton pendingLabel="Adding…" className="sm:mt-6">
          Add member
        </SubmitButton>
      </form>
    </div>
  );
}
