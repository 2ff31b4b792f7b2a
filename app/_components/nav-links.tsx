"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** A link in a navigation bar. `exact`: current only on that very path, not on the paths under it. */
export type NavItem = { href: string; label: string; exact?: boolean };

function isCurrent(item: NavItem, pathname: string): boolean {
  if (item.exact || item.href === "/") return pathname === item.href;
  return pathname === item.href || pathname.startsWith(`${item.href}/`);
}

export function NavLinks({ items, variant = "main" }: { items: NavItem[]; variant?: "main" | "tabs" }) {
  const pathname = usePathname();
  return (
    <ul className={variant === "tabs" ? "-mb-px flex gap-1 overflow-x-auto" : "flex gap-1 overflow-x-auto"}>
      {items.map((item) => {
        const active = isCurrent(item, pathname);
        const look =
          variant === "tabs"
            ? active
              ? "border-b-2 border-brand-600 text-brand-800"
              : "border-b-2 border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"
            : active
              ? "rounded-md bg-brand-50 text-brand-800"
              : "rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900";
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block whitespace-nowrap px-3 py-2 text-sm font-medium ${look}`}
            >
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
