"use client";
// The signed-in header: organisation, navigation and the account menu. The layout around it is static (so
// pages like Finance email can be served as files); who is signed in comes from /api/me, once per page load.
import Link from "next/link";
import { useEffect, useState } from "react";
import { Logo } from "@/app/_components/card";
import { NavLinks, type NavItem } from "@/app/_components/nav-links";
import type { MeResponse } from "@/app/api/me/route";
import { hasRole, ROLE_LABELS } from "@/lib/roles";
import { signOutAction } from "./actions";

export function AppHeader() {
  const [me, setMe] = useState<MeResponse | null>(null);
  useEffect(() => {
    let live = true;
    fetch("/api/me", { cache: "no-store" })
      .then((res) => (res.ok ? (res.json() as Promise<MeResponse>) : null))
      .then((body) => live && body && setMe(body))
      // The page itself reports a lost session; the header just stays without a name.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  const nav: NavItem[] = [
    { href: "/", label: "Dashboard" },
    { href: "/settings/email", label: "Finance email" },
    ...(me && hasRole(me.role, "ADMIN") ? [{ href: "/members", label: "Members" }] : []),
    { href: "/help", label: "Help" },
  ];
  return (
    <header className="no-print border-b border-slate-200 bg-white">
      <div className="mx-auto flex min-h-[3.75rem] max-w-5xl items-center justify-between gap-4 px-4 py-3">
        <Link href="/" className="flex min-w-0 items-center gap-2 text-brand-700">
          <Logo />
          {me ? (
            <span className="truncate text-sm font-semibold text-slate-900" data-testid="org-name">
              {me.orgName}
            </span>
          ) : (
            <span className="text-sm font-semibold text-slate-900">Finance Email Setup</span>
          )}
        </Link>
        {me && (
          <details className="relative">
            <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
              <span
                aria-hidden
                className="flex size-7 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-800"
              >
                {me.name.slice(0, 1).toUpperCase()}
              </span>
              <span className="hidden sm:inline">{me.name}</span>
              <span className="sr-only">Account menu</span>
            </summary>
            <div className="absolute right-0 z-20 mt-2 w-64 rounded-lg border border-slate-200 bg-white p-2 shadow-lg">
              <div className="px-2 py-2 text-sm">
                <p className="font-medium text-slate-900">{me.name}</p>
                <p className="truncate text-slate-600">{me.email}</p>
                <p className="mt-1 text-xs text-slate-500">
                  {ROLE_LABELS[me.role]} · {me.orgName}
                </p>
              </div>
              <Link href="/change-password" className="block rounded px-2 py-2 text-sm text-slate-700 hover:bg-slate-100">
                Change password
              </Link>
              <form action={signOutAction}>
                <button type="submit" className="block w-full rounded px-2 py-2 text-left text-sm text-slate-700 hover:bg-slate-100">
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
  );
}
