// The Finance email area's Account part, rendered on the server with the member's saved settings in the first
// response: the form for owners and admins, the settings read-only for members. Saves and tests re-render the area
// through their actions' responses (revalidatePath), so the status and the form's version are fresh.
import type { Metadata } from "next";
import { Card } from "@/app/_components/card";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { connectErrorMessage } from "@/lib/mailbox/link";
import { requireMember } from "@/lib/session";
import { EmailSettingsForm } from "./email-settings-form";
import { FragmentForwarder } from "./fragment-forwarder";
import { loadAccountPart } from "./page-data";
import { ReadOnlySettings } from "./settings-cards";

export const metadata: Metadata = { title: "Finance email" };

export default async function FinanceEmailAccountPage({
  searchParams,
}: {
  searchParams: Promise<Record<"connected" | "connectError" | "provider", string | string[] | undefined>>;
}) {
  const ctx = await requireMember({ path: "/settings/email" });
  const data = await loadAccountPart(db, ctx, {
    budgetMs: env().smtpTestBudgetMs,
    oauth: env().oauth,
    support: env().support,
  });
  const { connected, connectError, provider } = await searchParams;
  return (
    <>
      <FragmentForwarder />
      {connectError && (
        <p role="alert" className="mb-6 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {/* A code from the sign-in callback, worded here: the address bar's text never reaches the page. */}
          {connectErrorMessage(String(connectError), typeof provider === "string" ? provider : undefined)}
        </p>
      )}
      {connected && data.mailboxSignIn.link && !connectError && (
        <p
          role="status"
          className="mb-6 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          Connected as {data.mailboxSignIn.link.email}. Send a test email to prove it works.
        </p>
      )}
      {data.canEdit ? (
        <Card>
          <EmailSettingsForm
            initial={data.form}
            defaultSendTo={data.defaultSendTo}
            budgetSeconds={data.budgetSeconds}
            mailboxSignIn={data.mailboxSignIn}
          />
        </Card>
      ) : (
        <ReadOnlySettings settings={data.settings} editors={data.editors} />
      )}
    </>
  );
}
