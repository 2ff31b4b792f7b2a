// Building blocks of a help guide: the article frame with its "Last reviewed" date, sections with stable
// anchors, and screen mock-ups drawn in HTML (our own illustrations, with alt text; nothing loaded from elsewhere).
import Link from "next/link";
import type { ReactNode } from "react";
import { HELP_LAST_REVIEWED } from "@/lib/help/guides";

const reviewed = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(
  new Date(HELP_LAST_REVIEWED),
);

export function GuideArticle({ title, intro, children }: { title: string; intro: ReactNode; children: ReactNode }) {
  return (
    <article className="space-y-8 text-slate-800">
      <header>
        <p className="no-print text-sm">
          <Link href="/help" className="text-brand-700 underline">
            All guides
          </Link>
        </p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        <div className="mt-2 text-sm text-slate-600">{intro}</div>
        <p className="mt-2 text-xs text-slate-500">
          Last reviewed <time dateTime={HELP_LAST_REVIEWED}>{reviewed}</time>
        </p>
      </header>
      {children}
      <footer className="no-print border-t border-slate-200 pt-4 text-sm">
        <Link href="/settings/email" className="font-medium text-brand-700 underline">
          Go to Finance email settings
        </Link>
      </footer>
    </article>
  );
}

export function GuideSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-6 space-y-3">
      <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      <div className="space-y-3 text-sm leading-6">{children}</div>
    </section>
  );
}

export function Callout({
  tone = "info",
  title,
  children,
}: {
  tone?: "info" | "warning";
  title: string;
  children: ReactNode;
}) {
  const styles =
    tone === "warning" ? "border-amber-300 bg-amber-50 text-amber-950" : "border-sky-200 bg-sky-50 text-sky-950";
  return (
    <div className={`rounded-lg border p-4 text-sm ${styles}`}>
      <p className="font-semibold">{title}</p>
      <div className="mt-1 space-y-1">{children}</div>
    </div>
  );
}

/** A labelled drawing of a screen. role="img" with an aria-label is its alt text; the inside is decoration. */
export function ScreenMock({
  alt,
  caption,
  address,
  children,
}: {
  alt: string;
  caption: string;
  address?: string;
  children: ReactNode;
}) {
  return (
    <figure className="my-4 break-inside-avoid">
      <div
        role="img"
        aria-label={alt}
        className="overflow-hidden rounded-lg border border-slate-300 bg-white shadow-sm"
      >
        <div aria-hidden className="flex items-center gap-2 border-b border-slate-200 bg-slate-100 px-3 py-1.5">
          <span className="size-2.5 rounded-full bg-slate-300" />
          <span className="size-2.5 rounded-full bg-slate-300" />
          <span className="size-2.5 rounded-full bg-slate-300" />
          {address && <span className="ml-2 rounded bg-white px-2 py-0.5 text-[11px] text-slate-500">{address}</span>}
        </div>
        <div aria-hidden className="p-4 text-[13px] text-slate-700">
          {children}
        </div>
      </div>
      <figcaption className="mt-1.5 text-xs text-slate-500">{caption}</figcaption>
    </figure>
  );
}

/** The highlighted thing to click in a mock-up. */
export function Highlight({ children }: { children: ReactNode }) {
  return (
    <span className="rounded-md bg-brand-50 px-2 py-1 font-semibold text-brand-800 ring-2 ring-brand-600">
      {children}
    </span>
  );
}
