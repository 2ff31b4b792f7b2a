// The Finance email area's server-rendered cards: the settings read-only (for members), recent tests and history,
// and what a part shows before any account is saved.
import Link from "next/link";
import { Card } from "@/app/_components/card";
import type { EmailSettingsView } from "@/lib/mailbox/settings";
import { timestamp } from "@/lib/format";
import { Time } from "@/app/_components/time";
import type { TestRunRow } from "@/lib/mailbox/test-run";
import { getPreset } from "@/lib/smtp/presets";
import { EMAIL_SETTINGS_FIELD_LABELS } from "@/lib/mailbox/schema";
import type { HistoryEntry } from "./page-data";

export function RecentTests({ tests, timeZone }: { tests: TestRunRow[]; timeZone: string }) {
  return (
    <Card title="Recent tests" description="Test emails and connection checks, newest first.">
      {tests.length === 0 ? (
        <p className="text-sm text-slate-600">
          No tests yet. Save your settings, then send a test email to prove they work.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Recent tests">
          {tests.map((t) => (
            <li
              key={t.id}
              className="flex flex-wrap items-baseline justify-between gap-2 py-2 text-sm"
              data-testid="test-run"
            >
              <span>
                <span className={t.outcome === "SUCCESS" ? "font-medium text-emerald-800" : "font-medium text-red-800"}>
                  {t.outcome === "SUCCESS" ? "Passed" : "Failed"}
                </span>{" "}
                · {t.mode === "send" ? `Test email to ${t.recipient}` : `Connection check (${t.recipient})`} · {t.host}:
                {t.port}
                {t.failedStep ? ` · failed at ${t.failedStep}` : ""}
                <span className="text-slate-500"> · by {t.userEmail}</span>
              </span>
              <span className="text-slate-500">
                <Time at={timestamp(t.createdAt, timeZone)} />
                {t.durationMs !== null ? ` · ${(t.durationMs / 1000).toFixed(1)} s` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function SettingsHistory({ history, timeZone }: { history: HistoryEntry[]; timeZone: string }) {
  return (
    <Card title="History" description="Every change to these settings, newest first.">
      {history.length === 0 ? (
        <p className="text-sm text-slate-600">No changes yet. Saves will be listed here with who made them.</p>
      ) : (
        <ol className="divide-y divide-slate-100" aria-label="Settings history">
          {history.map((event) => (
            <li key={event.id} className="py-3 text-sm" data-testid="history-entry">
              <p className="text-slate-800">
                <span className="font-medium">{event.actorEmail ?? "System"}</span>{" "}
                <span className="text-slate-500">
                  · <Time at={timestamp(event.createdAt, timeZone)} />
                </span>
              </p>
              <ul className="mt-1 space-y-0.5 text-slate-600">
                {Object.entries(event.changes).map(([field, change]) => (
                  <li key={field}>
                    {EMAIL_SETTINGS_FIELD_LABELS[field as keyof typeof EMAIL_SETTINGS_FIELD_LABELS] ?? field}:{" "}
                    {change === "changed" ? (
                      "changed"
                    ) : (
                      <>
                        <span className="line-through decoration-slate-400">{change.from || "(empty)"}</span> →{" "}
                        <span className="text-slate-900">{change.to || "(empty)"}</span>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export function ReadOnlySettings({ settings, editors }: { settings: EmailSettingsView | null; editors: string[] }) {
  const who = editors.length ? editors.join(", ") : "an owner or admin";
  return (
    <Card title="Settings" description={`Only owners and admins can change these settings. Ask ${who}.`}>
      {!settings ? (
        <p className="text-sm text-slate-600">No account is linked yet.</p>
      ) : (
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
          {(
            [
              ["Provider", getPreset(settings.provider)?.name ?? settings.provider],
              ["Server", settings.host],
              ["TLS Port", String(settings.port)],
              ["Security", settings.security === "ssl" ? "SSL/TLS" : "STARTTLS"],
              ["User", settings.user],
              ["From name", settings.fromName || "—"],
              ["From address", settings.fromAddress],
              ["Reply-to", settings.replyTo || "—"],
            ] as const
          ).map(([label, value]) => (
            <Detail key={label} label={label} value={value} />
          ))}
        </dl>
      )}
    </Card>
  );
}

function Detail({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-medium text-slate-900">{value}</dd>
    </div>
  );
}

/** A part that needs a saved account, before there is one: what it will show, and the way to Account. */
export function NoAccountYet({ title, shows }: { title: string; shows: string }) {
  return (
    <Card title={title}>
      <p className="text-sm text-slate-600">
        {shows} once the finance email account is saved.{" "}
        <Link href="/settings/email" className="text-brand-700 underline">
          Set up the account
        </Link>
      </p>
    </Card>
  );
}
