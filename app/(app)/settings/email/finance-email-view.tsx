"use client";
// The Finance email page's content, loaded from /api/settings/email: the status, the form (or, for members,
// the settings read-only), recent tests and the history. Loaded again after every save and test.
import { useCallback, useEffect, useRef, useState } from "react";
import { Card } from "@/app/_components/card";
import { StatusBanner } from "@/app/_components/settings-status";
import type { EmailSettingsJson, FinanceEmailPageData, HistoryEntry, TestRunSummary } from "@/lib/finance-email-page";
import { formatDateTime } from "@/lib/format";
import { getPreset } from "@/lib/smtp/presets";
import { EMAIL_SETTINGS_FIELD_LABELS } from "@/lib/smtp/schema";
import { EmailSettingsForm } from "./email-settings-form";

type Load = { state: "loading" } | { state: "failed" } | { state: "ready"; data: FinanceEmailPageData };

export function FinanceEmailView() {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  // Only the newest request may update the page (a slow early answer must not overwrite a later one).
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const request = ++latest.current;
    try {
      const res = await fetch("/api/settings/email", { cache: "no-store" });
      const body = (await res.json()) as FinanceEmailPageData | { redirectTo: string };
      if (request !== latest.current) return;
      if ("redirectTo" in body) {
        window.location.replace(body.redirectTo);
        return;
      }
      if (!res.ok) throw new Error(`status ${res.status}`);
      setLoad({ state: "ready", data: body });
    } catch {
      // Keep what is on screen if this was a refresh; say so only when there is nothing to show.
      if (request === latest.current) setLoad((current) => (current.state === "ready" ? current : { state: "failed" }));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (load.state === "loading") return <LoadingSettings />;
  if (load.state === "failed") {
    return (
      <div role="alert" className="rounded-xl border border-red-200 bg-red-50 px-5 py-4 text-sm text-red-900">
        <p className="font-semibold">Your settings could not be loaded.</p>
        <p className="mt-1">Check your connection, then try again. Nothing has been changed.</p>
        <button
          type="button"
          onClick={() => {
            setLoad({ state: "loading" });
            void reload();
          }}
          className="mt-3 rounded-md border border-red-300 bg-white px-3 py-1.5 font-medium text-red-900 hover:bg-red-100"
        >
          Try again
        </button>
      </div>
    );
  }

  const { data } = load;
  return (
    <>
      <StatusBanner settings={data.settings} />
      {data.canEdit ? (
        <Card>
          <EmailSettingsForm
            initial={data.form}
            defaultSendTo={data.defaultSendTo}
            budgetSeconds={data.budgetSeconds}
            onChanged={reload}
          />
        </Card>
      ) : (
        <ReadOnlySettings settings={data.settings} editors={data.editors} />
      )}
      <div className="mt-6">
        <RecentTests tests={data.tests} />
      </div>
      <div className="mt-6">
        <SettingsHistory history={data.history} />
      </div>
    </>
  );
}

function LoadingSettings() {
  return (
    <div role="status" aria-busy="true" className="space-y-6">
      <span className="sr-only">Loading your finance email settings…</span>
      <div aria-hidden className="h-20 animate-pulse rounded-xl border border-slate-200 bg-white" />
      <div aria-hidden className="space-y-4 rounded-xl border border-slate-200 bg-white px-5 py-6">
        {[0, 1, 2, 3].map((i) => (
          <div key={i} className="space-y-2">
            <div className="h-3 w-24 animate-pulse rounded bg-slate-200" />
            <div className="h-9 animate-pulse rounded-md bg-slate-100" />
          </div>
        ))}
      </div>
    </div>
  );
}

function RecentTests({ tests }: { tests: TestRunSummary[] }) {
  return (
    <Card title="Recent tests" description="Test emails and connection checks, newest first.">
      {tests.length === 0 ? (
        <p className="text-sm text-slate-600">No tests yet. Save your settings, then send a test email to prove they work.</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Recent tests">
          {tests.map((t) => (
            <li key={t.id} className="flex flex-wrap items-baseline justify-between gap-2 py-2 text-sm" data-testid="test-run">
              <span>
                <span className={t.outcome === "SUCCESS" ? "font-medium text-emerald-800" : "font-medium text-red-800"}>
                  {t.outcome === "SUCCESS" ? "Passed" : "Failed"}
                </span>{" "}
                · {t.mode === "send" ? `Test email to ${t.recipient}` : `Connection check (${t.recipient})`} · {t.host}:{t.port}
                {t.failedStep ? ` · failed at ${t.failedStep}` : ""}
                <span className="text-slate-500"> · by {t.userEmail}</span>
              </span>
              <span className="text-slate-500">
                {formatDateTime(t.createdAt)}
                {t.durationMs !== null ? ` · ${(t.durationMs / 1000).toFixed(1)} s` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function SettingsHistory({ history }: { history: HistoryEntry[] }) {
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
                <span className="text-slate-500">· {formatDateTime(event.createdAt)}</span>
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

function ReadOnlySettings({ settings, editors }: { settings: EmailSettingsJson | null; editors: string[] }) {
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
            <div key={label}>
              <dt className="text-slate-500">{label}</dt>
              <dd className="font-medium text-slate-900">{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
