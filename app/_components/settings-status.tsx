// The finance email status (Not set up; Saved, not tested yet; Not working yet; Working; Failing), on the dashboard
// and the Finance email area.
import type { EmailSettingsView } from "@/lib/mailbox/settings";
import { minutesUntil, timeAgo, timestamp } from "@/lib/format";
import { accountState } from "@/lib/mailbox/account-state";
import type { CheckTimeline } from "@/lib/watch/alert-settings";
import { CheckTimelineStrip } from "./check-timeline";
import { Time } from "./time";

/** The settings' state, with the last test's time, or its error and advice. */
export function StatusBanner({
  settings,
  timeline,
  timeZone,
  now = new Date(),
}: {
  settings:
    | (Pick<EmailSettingsView, "status" | "lastTestAt" | "lastTestError" | "lastTestAdvice"> &
        Partial<Pick<EmailSettingsView, "lastCheckAt" | "workedAt" | "checkDueAt">>)
    | null;
  /** The last 30 days of scheduled checks, where the page shows them. */
  timeline?: CheckTimeline;
  /** The organisation's zone, for the times shown. */
  timeZone: string;
  now?: Date;
}) {
  const state = statusState(settings, timeZone, now);
  const showTimeline = timeline && timeline.total > 0 && settings && settings.status !== "NOT_SET_UP";
  return (
    <section aria-labelledby="settings-status" className={`mb-6 rounded-xl border px-5 py-4 ${state.tone}`}>
      <h2 id="settings-status" className="flex items-center gap-2 text-sm font-semibold">
        <span aria-hidden className={`size-2.5 rounded-full ${state.dot}`} />
        Status: <span data-testid="settings-status">{state.label}</span>
        {settings?.lastCheckAt && settings.status !== "NOT_SET_UP" && (
          <span className="font-normal" data-testid="last-check">
            · checked <Time at={timestamp(settings.lastCheckAt, timeZone)}>{timeAgo(settings.lastCheckAt, now)}</Time>
          </span>
        )}
      </h2>
      <p className="mt-1 text-sm">{state.detail}</p>
      {showTimeline && <CheckTimelineStrip timeline={timeline} />}
    </section>
  );
}

type StatusState = { label: string; tone: string; dot: string; detail: React.ReactNode };

const AMBER = { tone: "border-amber-200 bg-amber-50 text-amber-950", dot: "bg-amber-500" };

/** The error is a title (no full stop); the advice follows as its own sentence. */
function failureDetail(settings: { lastTestError: string | null; lastTestAdvice: string | null }): string {
  return [settings.lastTestError?.replace(/([^.!?])$/, "$1."), settings.lastTestAdvice].filter(Boolean).join(" ");
}

/**
 * What the status says. An account that never worked and fails is still being set up: amber, with the next step,
 * not the red of an account that worked and stopped (lib/mailbox/account-state.ts). Before the first scheduled
 * check it says when that check runs.
 */
function statusState(
  settings: Parameters<typeof StatusBanner>[0]["settings"],
  timeZone: string,
  now: Date,
): StatusState {
  const nextCheck =
    settings?.checkDueAt && settings.checkDueAt > now
      ? ` An automatic check runs in ${minutesUntil(settings.checkDueAt, now)}.`
      : "";
  switch (accountState(settings)) {
    case "none":
    case "disconnected":
      return {
        label: "Not set up",
        tone: "border-slate-200 bg-white text-slate-800",
        dot: "bg-slate-400",
        detail: !settings
          ? "No email account is linked yet, so finance mail cannot be sent."
          : "The mailbox was disconnected, so finance mail cannot be sent. Connect it again, or enter a password and save.",
      };
    case "working":
      return {
        label: "Working",
        tone: "border-emerald-200 bg-emerald-50 text-emerald-950",
        dot: "bg-emerald-500",
        detail: (
          <>
            Last successful test at{" "}
            {settings?.lastTestAt ? <Time at={timestamp(settings.lastTestAt, timeZone)} /> : "an unknown time"}.
          </>
        ),
      };
    case "failing":
      return {
        label: "Failing",
        tone: "border-red-200 bg-red-50 text-red-950",
        dot: "bg-red-500",
        detail: failureDetail(settings!),
      };
    case "not-working-yet":
      return { label: "Not working yet: finish setup", ...AMBER, detail: failureDetail(settings!) + nextCheck };
    case "untested":
      return {
        label: "Saved, not tested yet",
        ...AMBER,
        detail: `The settings are saved. Send a test email to prove the account works.${nextCheck}`,
      };
  }
}
