"use client";
// The Deliverability card's buttons: copy one value of a record, and "Check again" (DNS changes take time to spread).
import { useActionState, useState } from "react";
import { SubmitButton } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { recheckDomainAction } from "./deliverability-actions";

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={label}
      onClick={() => navigator.clipboard?.writeText(value).then(() => setCopied(true))}
      className="rounded-md bg-white px-2 py-1 text-xs font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100"
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

export function CheckAgainButton() {
  const [state, action] = useActionState(recheckDomainAction, {} as ActionState);
  return (
    <form action={action} className="flex items-center gap-2">
      {state.message && state.ok === false && (
        <span role="alert" className="text-red-700">
          {state.message}
        </span>
      )}
      <SubmitButton variant="secondary" pendingLabel="Checking…" className="px-3 py-1.5">
        Check again
      </SubmitButton>
    </form>
  );
}
