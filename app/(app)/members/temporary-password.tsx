"use client";
// A temporary password, shown once to the owner or admin who created it (adding a member or resetting one).
import { CopyButton } from "@/app/_components/copy-button";

export function TemporaryPassword({ email, password, message }: { email: string; password: string; message?: string }) {
  return (
    <div role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
      <p className="font-medium">{message}</p>
      <p className="mt-1">
        Give it to {email} in person or by phone. It is shown only once, and they must choose their own password when
        they first sign in.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <code
          data-testid="temporary-password"
          className="rounded bg-white px-3 py-1.5 font-mono text-base tracking-wide ring-1 ring-emerald-200"
        >
          {password}
        </code>
        <CopyButton value={password} className="ring-emerald-300 hover:bg-emerald-100" />
      </div>
    </div>
  );
}
