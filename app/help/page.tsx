import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/app/_components/card";
import { PRESETS } from "@/lib/smtp/presets";

export const metadata: Metadata = { title: "Help" };

export default function HelpIndexPage() {
  return (
    <>
      <PageHeader title="Help" description="Guides for linking the email account your finance mail is sent from." />
      <ul className="grid gap-3 sm:grid-cols-2">
        {PRESETS.map((p) => (
          <li key={p.id}>
            <Link
              href={`/help/${p.helpSlug}`}
              className="block rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600"
            >
              <span className="font-semibold text-slate-900">{p.name}</span>
              <span className="mt-1 block text-sm text-slate-600">
                {p.host ? `${p.host}, port ${p.port}` : "Any SMTP server"}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
