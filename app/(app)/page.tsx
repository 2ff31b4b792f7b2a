import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/app/_components/card";
import { describeAuditEvent, recentAuditEvents } from "@/lib/audit";
import { timestamp } from "@/lib/format";
import { StatusBanner } from "@/app/_components/settings-status";
import { Time } from "@/app/_components/time";
import { db } from "@/lib/db";
import { hasRole } from "@/lib/roles";
import { requireMember } from "@/lib/session";
import { checkTimeline } from "@/lib/watch/alert-settings";
import { accountState } from "@/lib/mailbox/account-state";
import type { EmailSettingsView } from "@/lib/mailbox/settings";
import { getPreset } from "@/lib/smtp/presets";
import { readEmailSettings } from "./org-settings";

export const metadata: Metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<{ denied?: string; passwordChanged?: string }>;
}) {
  const ctx = await requireMember({ path: "/" });
  const params = await searchParams;
  const [memberCount, events, settings, timeline] = await Promise.all([
    db.membership.count({ where: { orgId: ctx.org.id } }),
    recentAuditEvents(db, ctx.org.id, 8),
    readEmailSettings(db, ctx.org.id),
    checkTimeline(db, ctx.org),
  ]);
  const isAdmin = hasRole(ctx.role, "ADMIN");

  return (
    <>
      <PageHeader
        title={`Hello, ${ctx.user.name.split(" ")[0]}`}
        description={`Finance email for ${ctx.org.name}: the account your invoices, statements and receipts are sent from.`}
      />
      {params.denied && (
        <div
          role="alert"
          className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
        >
          That page is for owners and admins. Ask one of them if you need access.
        </div>
      )}
      {params.passwordChanged && (
        <div
          role="status"
          className="mb-6 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          Your password has been changed.
        </div>
      )}
      <StatusBanner settings={settings} timeline={timeline} timeZone={ctx.org.timeZone} />
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Finance email" description="The account that sends your finance mail.">
          <FinanceEmailSummary settings={settings} isAdmin={isAdmin} />
        </Card>
        <Card
          title="Members"
          description={`${memberCount} ${memberCount === 1 ? "person has" : "people have"} access.`}
        >
          <p className="text-sm text-slate-700">
            {isAdmin
              ? "Add colleagues who help with finance mail, and choose what each may change."
              : "Owners and admins manage who has access."}
          </p>
          {isAdmin && (
            <Link
              href="/members"
              className="mt-4 inline-flex rounded-md px-4 py-2 text-sm font-semibold text-brand-700 ring-1 ring-brand-100 hover:bg-brand-50"
            >
              Manage members
            </Link>
          )}
        </Card>
      </div>
      <div className="mt-6">
        <Card title="Recent activity">
          {events.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing has happened yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {events.map((e) => (
                <li key={e.id} className="flex flex-wrap justify-between gap-2 py-2 text-sm">
                  <span className="text-slate-800">
                    <span className="font-medium">{e.actorEmail ?? "System"}</span> ·{" "}
                    {describeAuditEvent(e.action, e.details)}
                  </span>
                  <Time at={timestamp(e.createdAt, ctx.org.timeZone)} className="text-slate-500" />
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

/** The Finance email card: what is true of the account now, and the one thing to do next. */
function FinanceEmailSummary({ settings, isAdmin }: { settings: EmailSettingsView | null; isAdmin: boolean }) {
  const { text, action } = summaryOf(settings, isAdmin);
  return (
    <>
      <p className="text-sm text-slate-700" data-testid="finance-email-summary">
        {text}
      </p>
      <Link
        href="/settings/email"
        className="mt-4 inline-flex rounded-md bg-brand-700 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-800"
      >
        {isAdmin ? action : "View finance email"}
      </Link>
    </>
  );
}

function summaryOf(settings: EmailSettingsView | null, isAdmin: boolean): { text: string; action: string } {
  const provider = settings ? (getPreset(settings.provider)?.name ?? settings.host) : "";
  switch (accountState(settings)) {
    case "none":
      return {
        text: isAdmin
          ? "No account is linked yet. Link your Google Mail, Microsoft 365 or other SMTP account, then send a test email to prove it works."
          : "No account is linked yet. An owner or admin links it.",
        action: "Set up finance email",
      };
    case "disconnected":
      return {
        text: "The mailbox was disconnected: nothing can be sent until it is connected again.",
        action: "Connect again",
      };
    case "working":
      return { text: `Sending as ${settings!.fromAddress} through ${provider}.`, action: "Open finance email" };
    case "failing":
      return {
        text: `${settings!.fromAddress} cannot send: ${settings!.lastTestError ?? "the last check failed"}. Invoices and receipts are not going out.`,
        action: "Fix it",
      };
    case "not-working-yet":
      return {
        text: `${settings!.fromAddress} does not work yet: ${settings!.lastTestError ?? "the test failed"}.`,
        action: "Finish setup",
      };
    case "untested":
      return {
        text: `${settings!.fromAddress} through ${provider} is saved but not tested yet.`,
        action: "Send a test email",
      };
  }
}
