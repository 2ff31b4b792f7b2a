// Shown on every page to owners and admins while the finance email account fails: what broke, since when, and the
// one thing to do ("Fix it" goes straight to the field or the Reconnect button).
import Link from "next/link";
import type { FailingAccount } from "@/lib/mailbox/settings";
import { timestamp } from "@/lib/format";
import { fixTarget } from "@/lib/watch/fix-target";
import { Time } from "./time";

export function FailingAccountBanner({ failing, timeZone }: { failing: FailingAccount; timeZone: string }) {
  const fix = fixTarget(failing.diagnosisId);
  return (
    <div role="alert" className="no-print border-b border-red-200 bg-red-50" data-testid="failing-banner">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 text-sm text-red-950">
        <p className="min-w-0 flex-1 basis-96">
          <span className="font-semibold">
            Finance email is failing
            {failing.since && (
              <>
                {" "}
                since <Time at={timestamp(failing.since, timeZone)} />
              </>
            )}
            :
          </span>{" "}
          {failing.title ? failing.title.replace(/([^.!?])$/, "$1.") : "the account's last check failed."} Invoices and
          receipts cannot be sent until it is fixed.
        </p>
        <Link
          href={fix.href}
          className="shrink-0 rounded-md bg-red-700 px-3 py-1.5 font-medium text-white shadow-sm hover:bg-red-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
          aria-label={`${fix.button ?? "Fix it"}: ${fix.label}`}
        >
          {fix.button ?? "Fix it"}
        </Link>
      </div>
    </div>
  );
}
