// The signed-in frame: organisation, navigation and the account menu, rendered on the server with the page.
// Each page checks the member itself (requireMember, with where to come back to); the layout only reads who
// is signed in, so it never redirects ahead of the page. A failing finance email account shows under the header.
import Link from "next/link";
import { Logo } from "@/app/_components/card";
import { FailingAccountBanner } from "@/app/_components/failing-banner";
import { NavLinks, type NavItem } from "@/app/_components/nav-links";
import { ContactWhoRunsThisApp } from "@/app/_components/support-contact";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { hasRole, ROLE_LABELS } from "@/lib/roles";
import { getMemberContext } from "@/lib/session";
import { signOutAction } from "./actions";
import { failingAccountOf, readEmailSettings } from "./org-settings";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const ctx = await getMemberContext();
  // Owners and admins are the ones who can fix a failing account, so they see it on every page. The same read
  // serves the page's own status (readEmailSettings is once per request).
  const failing = ctx && hasRole(ctx.role, "ADMIN") ? failingAccountOf(await readEmailSettings(db, ctx.org.id)) : null;
  const nav: NavItem[] = [
    { href: "/", label: "Dashboard" },
    { href: "/settings/email", label: "Finance email" },
    ...(ctx && hasRole(ctx.role, "ADMIN") ? [{ href: "/members", label: "Members" }] : []),
    { href: "/help", label: "Help" },
  ];
  return (
    <div className="min-h-screen">
      <header className="no-print border-b border-slate-200 bg-white">
        <div className="mx-auto flex min-h-[3.75rem] max-w-5xl items-center justify-between gap-4 px-4 py-3">
          <Link href="/" className="flex min-w-0 items-center gap-2 text-brand-700">
            <Logo />
            <span className="truncate text-sm font-semibold text-slate-900" data-testid="org-name">
              {ctx?.org.name ?? "Finance Email Setup"}
            </span>
          </Link>
          {ctx && (
            <details className="relative">
              <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
                <span
                  aria-hidden
                  className="flex size-7 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-800"
                >
                  {ctx.user.name.slice(0, 1).toUpperCase()}
                </span>
                <span className="hidden sm:inline">{ctx.user.name}</span>
                <span className="sr-only">Account menu</span>
              </summary>
              <div className="absolute right-0 z-20 mt-2 w-64 rounded-lg border border-slate-200 bg-white p-2 shadow-lg">
                <div className="px-2 py-2 text-sm">
                  <p className="font-medium text-slate-900">{ctx.user.name}</p>
                  <p className="truncate text-slate-600">{ctx.user.email}</p>
                  <p className="mt-1 text-xs text-slate-500">
                    {ROLE_LABELS[ctx.role]} · {ctx.org.name}
                  </p>
                </div>
                <Link href="/account" className="block rounded px-2 py-2 text-sm text-slate-700 hover:bg-slate-100">
                  Your account
                </Link>
                <Link
                  href="/change-password"
                  className="block rounded px-2 py-2 text-sm text-slate-700 hover:bg-slate-100"
                >
                  Change password
                </Link>
                <form action={signOutAction}>
                  <button
                    type="submit"
                    className="block w-full rounded px-2 py-2 text-left text-sm text-slate-700 hover:bg-slate-100"
                  >
                    Sign out
                  </button>
                </form>
              </div>
            </details>
          )}
        </div>
        <nav aria-label="Main" className="mx-auto max-w-5xl px-2 pb-2">
          <NavLinks items={nav} />
        </nav>
      </header>
      {failing && ctx && <FailingAccountBanner failing={failing} timeZone={ctx.org.timeZone} />}
      <main id="main" className="mx-auto max-w-5xl px-4 py-8">
        {children}
      </main>
      <footer className="no-print mx-auto max-w-5xl px-4 pb-8 text-xs text-slate-500">
        Need help with this app? <ContactWhoRunsThisApp contact={env().support} lead="Contact" />
      </footer>
    </div>
  );
}
