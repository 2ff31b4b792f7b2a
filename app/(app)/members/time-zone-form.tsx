"use client";
// The organisation's time zone (owners and admins): every time in the app and in alert emails is shown in it.
import { useActionState } from "react";
import { FormMessage, SelectField, SubmitButton, type SelectOption } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { setTimeZoneAction } from "./actions";

export function TimeZoneForm({ current, zones }: { current: string; zones: readonly SelectOption[] }) {
  const [state, action] = useActionState(setTimeZoneAction, {} as ActionState);
  return (
    <div className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <form action={action} className="flex flex-wrap items-start gap-3" noValidate key={state.at}>
        <div className="min-w-64 flex-1 basis-80">
          <SelectField
            name="timeZone"
            label="Time zone"
            options={zones}
            defaultValue={state.values?.timeZone ?? current}
            errors={state.errors?.timeZone}
            hint="Times in the app and in alert emails use this zone."
          />
        </div>
        <SubmitButton variant="secondary" pendingLabel="Saving…" className="sm:mt-6">
          Save time zone
        </SubmitButton>
      </form>
    </div>
  );
}
