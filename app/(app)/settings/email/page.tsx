// The Finance email page, rendered on the server with the member's saved settings in the first response.
// Saves and tests re-render it through their actions' responses (revalidatePath), so status, recent tests and
// history are fresh without another request.
import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/app/_components/card";
import { StatusBanner } from "@/app/_components/settings-status";
import { db } from "@/lib/db";
import { fromDomain } from "@/lib/deliverability/check-domain";
import { env } from "@/lib/env";
import { requireMember } from "@/lib/session";
import { AlertsSection } from "./alerts-section";
import { DeliverabilityCard } from "./deliverability-card";
import { EmailSettingsForm } from "./email-settings-form";
import { loadFinanceEmailPage } from "./page-data";
import { ReadOnlySettings, RecentTests, SettingsHistory } from "./settings-cards";

export const metadata: Metadata = { title: "Finance email" };

export default async function FinanceEmailPage({
  searchParams,
}: {
  searchParams: Promise<{ connected?: string; connectError?: string }>;
}) {
  const ctx = await requireMember({ path: "/settings/email" });
  const data = await loadFinanceEmailPage(db, ctx, { budgetMs: env().smtpTestBudgetMs, oauth: env().oauth });
  const { connected, connectError } = await searchParams;
  return (
    <>
      <PageHeader
        title="Finance email"
        description="The SMTP account your invoices, statements and receipts are sent from."
      />
      {connectError && (
        <p role="alert" className="mb-6 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {connectError}
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
      <StatusBanner settings={data.settings} timeline={data.timeline} />
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
      {data.settings && (
        <div className="mt-6 scroll-mt-4" id="deliverability">
          <DeliverabilityCard
            check={data.deliverability}
            domain={fromDomain(data.settings.fromAddress)}
            canCheck={data.canEdit}
          />
        </div>
      )}
      {data.alerts && (
        <div className="mt-6" id="alerts">
          <Card
            title="Alerts"
            description={
              <>
                Who is told, and how, when the finance email account stops working.{" "}
                <Link href="/help/alerts" className="text-brand-700 underline">
                  How alerts work
                </Link>
              </>
            }
          >
            <AlertsSection view={data.alerts} userId={ctx.user.id} systemMailConfigured={env().systemMail !== null} />
          </Card>
        </div>
      )}
      <div className="mt-6">
        <RecentTests tests={data.tests} />
      </div>
      <div className="mt-6">
        <SettingsHistory history={data.history} />
      </div>
    </>
  );
}
