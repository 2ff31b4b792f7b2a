"use client";
import Link from "next/link";
import { useState } from "react";
import type { GuideSummary } from "@/lib/help/guides";

/** Filters the guides as you type: every word must appear in the title, summary or keywords. */
export function HelpSearch({ guides }: { guides: GuideSummary[] }) {
  const [query, setQuery] = useState("");
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = guides.filter((g) => {
    const text = `${g.title} ${g.summary} ${g.keywords}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  return (
    <div className="space-y-4">
      <div className="no-print">
        <label htmlFor="help-search" className="block text-sm font-medium text-slate-800">
          Search the guides
        </label>
        <input
          id="help-search"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="For example: app password, Outlook, timeout"
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
          aria-describedby="help-search-count"
        />
        <p id="help-search-count" aria-live="polite" className="mt-1 text-xs text-slate-500">
          {shown.length === guides.length
            ? `${guides.length} guides`
            : `${shown.length} of ${guides.length} guides match`}
        </p>
      </div>
      {shown.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600">
          No guide matches &ldquo;{query}&rdquo;. Try another word, or read{" "}
          <Link href="/help/troubleshooting" className="text-brand-700 underline">
            troubleshooting
          </Link>
          .
        </p>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2" aria-label="Guides">
          {shown.map((g) => (
            <li key={g.href}>
              <Link
                href={g.href}
                className="block h-full rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600"
              >
                <span className="font-semibold text-slate-900">{g.title}</span>
                <span className="mt-1 block text-sm text-slate-600">{g.summary}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
