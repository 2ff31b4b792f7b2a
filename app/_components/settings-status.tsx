// The finance email status (Not set up; Saved, not tested yet; Working; Failing), on the dashboard and the settings page.
import type { EmailSettingsView } from "@/lib/mailbox/settings";
import { formatDateTime, timeAgo } from "@/lib/format";
import type { CheckTimeline } from "@/lib/watch/alert-settings";
import { CheckTimelineStrip } from "./check-timeline";

/** The settings' state, with the last test's time, or its error and advice. */
export function StatusBanner({
  settings,
  timeline,
  now = new Date(),
}: {
  settings:
    | (Pick<EmailSettingsView, "status" | "lastTestAt" | "lastTestError" | "lastTestAdvice"> & {
        lastCheckAt?: Date | null;
      })
    | null;
  /** The last 30 days of scheduled checks, where the page shows them. */
  timeline?: CheckTimeline;
  now?: Date;
}) {
  const state =
    !settings || settings.status === "NOT_SET_UP"
      ? {
          label: "Not set up",
          tone: "border-slate-200 bg-white text-slate-800",
          dot: "bg-slate-400",
          detail: !settings
            ? "No email account is linked yet, so finance mail cannot be sent."
            : "The mailbox was disconnected, so finance mail cannot be sent. Connect it again, or enter a password and save.",
        }
      : settings.status === "WORKING"
        ? {
            label: "Working",
            tone: "border-emerald-200 bg-emerald-50 text-emerald-950",
            dot: "bg-emerald-500",
            detail: `Last successful test at ${settings.lastTestAt ? formatDateTime(settings.lastTestAt) : "an unknown time"}.`,
          }
        : settings.status === "FAILING"
          ? {
              label: "Failing",
              tone: "border-red-200 bg-red-50 text-red-950",
              dot: "bg-red-500",
              // The error is a title (no full stop); the advice follows as its own sentence.
              detail: [settings.lastTestError?.replace(/([^.!?])$/, "$1."), settings.lastTestAdvice]
                .filter(Boolean)
                .join(" "),
            }
          : {
              label: "Saved, not tested yet",
              tone: "border-amber-200 bg-amber-50 text-amber-950",
              dot: "bg-amber-500",
              detail: "The settings are saved. Send a test email to prove the account works.",
            };
  return (
    <section aria-labelledby="settings-status" className={`mb-6 rounded-xl border px-5 py-4 ${state.tone}`}>
      <h2 id="settings-status" className="flex items-center gap-2 text-sm font-semibold">
        <span aria-hidden className={`size-2.5 rounded-full ${state.dot}`} />
        Status: <span data-testid="settings-status">{state.label}</span>
        {settings?.lastCheckAt && settings.status !== "NOT_SET_UP" && (
          <span className="font-normal" data-testid="last-check">
            · checked {timeAgo(settings.lastCheckAt, now)}
          </span>
        )}
      </h2>
      <p className="mt-1 text-sm">{state.detail}</p>
      {timeline && settings && settings.status !== "NOT_SET_UP" && <CheckTimelineStrip timeline={timeline} />}
    </section>
  );
}
