"use client";
// The Deliverability card's "Check again" (DNS changes take time to spread), and "Check now" before any check.
import { useActionState } from "react";
import { SubmitButton } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { recheckDomainAction } from "./deliverability-actions";

export function CheckAgainButton({ label = "Check again" }: { label?: string }) {
  const [state, action] = useActionState(recheckDomainAction, {} as ActionState);
  return (
    <form action={action} className="flex items-center gap-2">
      {state.message && state.ok === false && (
        <span role="alert" className="text-red-700">
          {state.message}
        </span>
      )}
      <SubmitButton variant="secondary" pendingLabel="Checking…" className="px-3 py-1.5">
        {label}
      </SubmitButton>
    </form>
  );
}
