import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/app/_components/card";
import { hasRole } from "@/lib/roles";
import { requireMember } from "@/lib/session";

export const metadata: Metadata = { title: "Finance email" };
export const dynamic = "force-dynamic";

export default async function FinanceEmailPage() {
  const ctx = await requireMember({ path: "/settings/email" });
  return (
    <>
      <PageHeader
        title="Finance email"
        description="The SMTP account your invoices, statements and receipts are sent from."
      />
      <Card title="Status: Not set up">
        <p className="text-sm text-slate-700">
          {hasRole(ctx.role, "ADMIN")
            ? "No email account is linked yet. The settings form is on its way in the next release."
            : "No email account is linked yet. An owner or admin can link one."}
        </p>
        <p className="mt-3 text-sm">
          <Link href="/help" className="font-medium text-brand-700 underline">
            How to get a Google Mail app password
          </Link>
        </p>
      </Card>
    </>
  );
}
