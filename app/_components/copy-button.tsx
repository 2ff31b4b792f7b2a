"use client";
// Copies one value to the clipboard, and says so ("Copied"): a temporary password, a webhook secret, a DNS record.
import { useState } from "react";

export function CopyButton({
  value,
  label,
  compact = false,
  className = "ring-slate-300 hover:bg-slate-100",
}: {
  value: string;
  label?: string;
  /** Smaller, for a row of values. */
  compact?: boolean;
  /** The ring and hover colours. */
  className?: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={label}
      // A refused clipboard leaves the button as it was; there is nothing else to do with the rejection.
      onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true))}
      className={`rounded-md bg-white font-medium ring-1 ${compact ? "px-2 py-1 text-xs" : "px-3 py-1.5 text-sm"} ${className}`}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}
