// The Finance email area: its heading, the account's status (rendered here once for every part) and, once an
// account is saved, the parts: Account, Deliverability, Alerts (owners and admins) and History. Each part is its
// own page and checks the member itself; this layout only reads who is signed in, so it never redirects.
import { PageHeader } from "@/app/_components/card";
import { NavLinks, type NavItem } from "@/app/_components/nav-links";
import { StatusBanner } from "@/app/_components/settings-status";
import { db } from "@/lib/db";
import { hasRole } from "@/lib/roles";
import { getMemberContext } from "@/lib/session";
import { checkTimeline } from "@/lib/watch/alert-settings";
import { readEmailSettings } from "../../org-settings";
import { FINANCE_EMAIL_PARTS } from "./parts";

export default async function FinanceEmailLayout({ children }: { children: React.ReactNode }) {
  const ctx = await getMemberContext();
  const [settings, timeline] = ctx
    ? await Promise.all([readEmailSettings(db, ctx.org.id), checkTimeline(db, ctx.org)])
    : [null, undefined];
  const parts: NavItem[] = FINANCE_EMAIL_PARTS.filter((part) => !part.admin || (ctx && hasRole(ctx.role, "ADMIN")));
  return (
    <>
      <PageHeader
        title="Finance email"
        description="The SMTP account your invoices, statements and receipts are sent from."
      />
      {ctx && <StatusBanner settings={settings} timeline={timeline} timeZone={ctx.org.timeZone} />}
      {settings && (
        <nav aria-label="Finance email" className="mb-6 border-b border-slate-200">
          <NavLinks items={parts} variant="tabs" />
        </nav>
      )}
      {children}
    </>
  );
}
