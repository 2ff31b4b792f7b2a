// A moment on a page: the organisation's zone as text, UTC in the tooltip, the instant in dateTime. The text comes
// formatted from the server (lib/format's timestamp), so the browser never reformats it in its own zone.
import type { Timestamp } from "@/lib/format";

export function Time({ at, className, children }: { at: Timestamp; className?: string; children?: React.ReactNode }) {
  return (
    <time dateTime={at.iso} title={at.utc} className={className}>
      {children ?? at.text}
    </time>
  );
}
