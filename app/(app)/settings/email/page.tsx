// A static shell: served like a file, whoever asks. Everything about the member and their organisation is
// loaded by FinanceEmailView from /api/settings/email, which checks the session and role on every request.
import type { Metadata } from "next";
import { PageHeader } from "@/app/_components/card";
import { FinanceEmailView } from "./finance-email-view";

export const metadata: Metadata = { title: "Finance email" };

export default function FinanceEmailPage() {
  return (
    <>
      <PageHeader
        title="Finance email"
        description="The SMTP account your invoices, statements and receipts are sent from."
      />
      <noscript>
        <p className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This page needs JavaScript. Turn it on in your browser to see and change your finance email settings.
        </p>
      </noscript>
      <FinanceEmailView />
    </>
  );
}
