import type { Metadata } from "next";
import Link from "next/link";
import { Card, Logo, PageHeader } from "@/app/_components/card";

export const metadata: Metadata = { title: "Help" };

export default function HelpPage() {
  return (
    <div className="min-h-screen">
      <header className="no-print border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-3xl items-center justify-between px-4 py-3">
          <Link href="/" className="flex items-center gap-2 text-brand-700">
            <Logo />
            <span className="text-sm font-semibold text-slate-900">Finance Email Setup · Help</span>
          </Link>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-3xl px-4 py-8">
        <PageHeader title="Help" description="Guides for linking the email account your finance mail is sent from." />
        <Card title="Google Mail (Gmail)">
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
            <li>2-Step Verification must be turned on for the Google account.</li>
            <li>Server: smtp.gmail.com · TLS Port: 587 (recommended) or 465.</li>
            <li>User: your email address.</li>
            <li>Password: a 16-character app password, not your usual Google password.</li>
          </ul>
        </Card>
      </main>
    </div>
  );
}
