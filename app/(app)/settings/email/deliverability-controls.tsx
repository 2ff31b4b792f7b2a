"use client";
// The Deliverability card's "Check again" (DNS changes take time to spread), and the first check of new settings.
import { startTransition, useActionState, useEffect, useRef } from "react";
import { SubmitButton } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { recheckDomainAction } from "./deliverability-actions";

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

/**
 * No check of the current settings is kept: asks for one as soon as the page is shown (once per view), so the page
 * itself never waits for DNS. The action's response brings the card back with the result; "Check now" is there for
 * when that fails, and without JavaScript.
 */
export function FirstDomainCheck({ domain }: { domain: string }) {
  const [state, action, pending] = useActionState(recheckDomainAction, {} as ActionState);
  const asked = useRef(false);
  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    startTransition(() => action(new FormData()));
  }, [action]);
  return (
    <form action={action} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      {state.ok === false ? (
        <p role="alert" className="text-red-700" data-testid="domain-not-checked">
          {state.message}
        </p>
      ) : (
        <p className="text-slate-700" data-testid="domain-not-checked">
          {pending ? `Looking up the SPF, DKIM and DMARC records of ${domain}…` : `The records of ${domain} have not been checked for these settings yet.`}
        </p>
      )}
      <SubmitButton variant="secondary" pendingLabel="Checking…" pending={pending} className="px-3 py-1.5">
        Check now
      </SubmitButton>
    </form>
  );
}
