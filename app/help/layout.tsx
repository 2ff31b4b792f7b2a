import Link from "next/link";
import { Logo } from "@/app/_components/card";

// Help pages are public: readable without signing in, printable without navigation.
export default function HelpLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="no-print border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-3xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <Link href="/help" className="flex items-center gap-2 text-brand-700">
            <Logo />
            <span className="text-sm font-semibold text-slate-900">Finance Email Setup · Help</span>
          </Link>
          <Link href="/settings/email" className="text-sm font-medium text-brand-700 underline">
            Go to Finance email settings
          </Link>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-3xl px-4 py-8">
        {children}
      </main>
    </div>
  );
}
