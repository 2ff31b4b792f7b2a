"use client";
// Shown for an unexpected server error. In production Next passes only a digest, never the message or stack.
import Link from "next/link";
import { AuthPanel } from "@/app/_components/card";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <AuthPanel
      title="Something went wrong"
      description="We could not complete that request. Nothing you saved has been lost. Try again, and if it keeps happening, contact support."
    >
      {error.digest && <p className="mb-4 text-xs text-slate-500">Reference: {error.digest}</p>}
      <div className="flex gap-3">
        <button
          onClick={reset}
          className="rounded-md bg-brand-700 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-800"
        >
          Try again
        </button>
        <Link
          href="/"
          className="rounded-md px-4 py-2 text-sm font-semibold text-brand-700 ring-1 ring-brand-100 hover:bg-brand-50"
        >
          Go to dashboard
        </Link>
      </div>
    </AuthPanel>
  );
}
