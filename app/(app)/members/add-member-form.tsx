"use client";
import { useActionState, useState } from "react";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { ROLE_LABELS, type Role } from "@/lib/roles";
import { addMemberAction } from "./actions";

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
      <form action={action} className="grid gap-4 sm:grid-cols-[1fr_1fr_10rem_auto] sm:items-start" noValidate key={state.at}>
        <TextField name="name" label="Name" autoComplete="off" defaultValue={v.name} errors={state.errors?.name} required />
        <TextField
          name="email"
          label="Email"
          type="email"
          inputMode="email"
          autoComplete="off"
          defaultValue={v.email}
          errors={state.errors?.email}
          required
        />
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

function TemporaryPassword({ email, password, message }: { email: string; password: string; message?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
      <p className="font-medium">{message}</p>
      <p className="mt-1">
        Give it to {email} in person or by phone. It is shown only once, and they must choose their own password when
        they first sign in.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <code data-testid="temporary-password" className="rounded bg-white px-3 py-1.5 font-mono text-base tracking-wide ring-1 ring-emerald-200">
          {password}
        </code>
        <button
          type="button"
          onClick={() => navigator.clipboard?.writeText(password).then(() => setCopied(true))}
          className="rounded-md bg-white px-3 py-1.5 text-sm font-medium ring-1 ring-emerald-300 hover:bg-emerald-100"
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}
