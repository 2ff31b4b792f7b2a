"use client";
// The Alerts section of the Finance email page (owners and admins): who gets alert emails and your own choice,
// how often to remind, the webhook (set, test, remove; its signing secret shown once) and the recent deliveries.
import Link from "next/link";
import { useActionState } from "react";
import { CopyButton } from "@/app/_components/copy-button";
import { Time } from "@/app/_components/time";
import { ContactWhoRunsThisApp } from "@/app/_components/support-contact";
import { WHO_RUNS_THIS_APP, type SupportContact } from "@/lib/support";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { REMINDER_CHOICES } from "@/lib/watch/reminder-choices";
import type { AlertsView } from "@/lib/watch/alert-settings";
import {
  removeWebhookAction,
  saveAlertRemindersAction,
  sendTestAlertAction,
  setMyAlertEmailsAction,
  setWebhookAction,
} from "./alert-actions";

const EVENT_LABELS: Record<string, string> = {
  "account.failing": "Failing alert",
  "account.reminder": "Reminder",
  "account.recovered": "Recovery notice",
  "domain.failing": "Domain alert",
  "alert.test": "Test alert",
};

const STATUS_LABELS: Record<AlertsView["deliveries"][number]["status"], { label: string; className: string }> = {
  SENT: { label: "Sent", className: "text-emerald-800" },
  FAILED: { label: "Failed", className: "text-red-800" },
  PENDING: { label: "Retrying", className: "text-amber-800" },
  SKIPPED: { label: "Skipped", className: "text-slate-700" },
};

function Subsection({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: React.ReactNode;
}) {
  return (
    <section className="border-t border-slate-100 py-4 first:border-t-0 first:pt-0 last:pb-0">
      <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
      {description && <p className="mt-0.5 text-sm text-slate-600">{description}</p>}
      <div className="mt-3">{children}</div>
    </section>
  );
}

function WebhookSecret({ secret }: { secret: string }) {
  return (
    <div className="mt-3 rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-950">
      <p className="font-medium">Signing secret: shown only now</p>
      <p className="mt-0.5">
        Each alert carries <code>X-Signature-256: sha256=…</code>, the HMAC-SHA256 with this secret of its time, id and
        body. Give it to whoever checks the alerts at the receiving end (
        <Link href="/help/alerts#signature" className="underline">
          how to check a signature
        </Link>
        ).
      </p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code
          data-testid="webhook-secret"
          className="break-all rounded bg-white px-3 py-1.5 font-mono ring-1 ring-emerald-200"
        >
          {secret}
        </code>
        <CopyButton value={secret} label="Copy the signing secret" className="ring-emerald-300 hover:bg-emerald-100" />
      </div>
    </div>
  );
}

export function AlertsSection({
  view,
  userId,
  systemMailConfigured,
  support,
  embedded,
}: {
  view: AlertsView;
  userId: string;
  systemMailConfigured: boolean;
  /** Who runs this app, for the people told to contact them. */
  support: SupportContact;
  /** The embedded default: the first owner runs the app too, so the operator's instructions may show. */
  embedded: boolean;
}) {
  const [remindersState, saveReminders] = useActionState(saveAlertRemindersAction, {} as ActionState);
  const [mineState, setMine] = useActionState(setMyAlertEmailsAction, {} as ActionState);
  const [webhookState, saveWebhook] = useActionState(setWebhookAction, {} as ActionState);
  const [removeState, remove] = useActionState(removeWebhookAction, {} as ActionState);
  const [testState, test] = useActionState(sendTestAlertAction, {} as ActionState);
  const me = view.recipients.find((r) => r.userId === userId);
  const others = view.recipients.filter((r) => r.userId !== userId);
  // The newest of the webhook forms' results is the one to show.
  const webhookMessage = [webhookState, removeState, testState]
    .filter((s) => s.message)
    .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))[0];
  const secret = webhookState.data?.secret && webhookMessage === webhookState ? webhookState.data.secret : null;

  return (
    <div>
      <Subsection
        title="Alert emails"
        description="When the account starts failing, each owner and admin gets an email with what broke and the one thing to do, then a notice when it works again."
      >
        {!systemMailConfigured ? (
          <p
            className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-950"
            data-testid="system-mail-missing"
          >
            Email alerts need system mail, which {WHO_RUNS_THIS_APP} set up. Until then alerts show on these pages and
            go to the webhook below. <ContactWhoRunsThisApp contact={support} lead="To have it set up, contact" />
            {embedded && (
              <span className="mt-2 block" data-testid="operator-instructions">
                <strong>For whoever runs this app:</strong> set <code>SYSTEM_MAIL_URL</code> and{" "}
                <code>SYSTEM_MAIL_FROM</code> (see the README), then restart it.
              </span>
            )}
          </p>
        ) : (
          <>
            <ul className="space-y-1 text-sm text-slate-700" aria-label="Who gets alert emails">
              {[...(me ? [me] : []), ...others].map((r) => (
                <li key={r.userId} className="flex flex-wrap items-baseline gap-x-2">
                  <span className="font-medium text-slate-900">
                    {r.name}
                    {r.userId === userId ? " (you)" : ""}
                  </span>
                  <span className="text-slate-500">{r.email}</span>
                  <span className={r.alertEmails ? "text-emerald-800" : "text-slate-500"}>
                    · {r.alertEmails ? "gets alert emails" : "turned alert emails off"}
                  </span>
                </li>
              ))}
            </ul>
            {me && (
              <form action={setMine} className="mt-3 flex flex-wrap items-center gap-3">
                <input type="hidden" name="alertEmails" value={me.alertEmails ? "off" : "on"} />
                <SubmitButton variant="secondary" pendingLabel="Saving…">
                  {me.alertEmails ? "Turn off my alert emails" : "Turn on my alert emails"}
                </SubmitButton>
                <FormMessage ok={mineState.ok} message={mineState.message} />
              </form>
            )}
          </>
        )}
      </Subsection>

      <Subsection
        title="Reminders"
        description="While the account keeps failing, alerts are sent again at this interval."
      >
        <form action={saveReminders} className="flex flex-wrap items-end gap-3">
          <div className="min-w-64">
            <SelectField
              key={remindersState.at}
              name="reminderHours"
              label="Remind"
              options={REMINDER_CHOICES}
              defaultValue={remindersState.values?.reminderHours ?? String(view.reminderHours)}
              errors={remindersState.errors?.reminderHours}
            />
          </div>
          <SubmitButton variant="secondary" pendingLabel="Saving…">
            Save reminders
          </SubmitButton>
        </form>
        <div className="mt-2">
          <FormMessage ok={remindersState.ok} message={remindersState.message} />
        </div>
      </Subsection>

      <Subsection
        title="Webhook"
        description="Also send alerts to Slack, Microsoft Teams or your own system: an HTTPS address that receives a signed JSON POST."
      >
        {view.webhook ? (
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-slate-700" data-testid="webhook-host">
              Alerts go to <span className="font-medium text-slate-900">{view.webhook.host}</span>
              {view.webhook.setAt && (
                <>
                  {" "}
                  · set <Time at={view.webhook.setAt} />
                </>
              )}
            </p>
            <div className="flex flex-wrap gap-2">
              <form action={test}>
                <SubmitButton variant="secondary" pendingLabel="Sending…">
                  Send a test alert
                </SubmitButton>
              </form>
              <form action={remove}>
                <SubmitButton variant="danger" pendingLabel="Removing…">
                  Remove webhook
                </SubmitButton>
              </form>
            </div>
          </div>
        ) : (
          <form action={saveWebhook} className="flex flex-wrap items-start gap-3">
            <div className="min-w-0 flex-1 basis-80">
              <TextField
                key={webhookState.at}
                name="webhookUrl"
                label="Webhook URL"
                type="url"
                placeholder="https://hooks.slack.com/services/…"
                defaultValue={webhookState.values?.webhookUrl ?? ""}
                errors={webhookState.errors?.webhookUrl}
                hint="Only public HTTPS addresses. The URL is stored encrypted; this page shows only its host."
              />
            </div>
            <SubmitButton pendingLabel="Checking…" className="mt-6">
              Set webhook
            </SubmitButton>
          </form>
        )}
        <div className="mt-3">
          <FormMessage ok={webhookMessage?.ok} message={webhookMessage?.message} />
        </div>
        {secret && <WebhookSecret secret={secret} />}
      </Subsection>

      <Subsection
        title="Recent alerts"
        description="Emails and webhook calls, newest first. Failed ones are retried for 24 hours; an email is skipped if its recipient is no longer an owner or admin, or turned alert emails off."
      >
        {view.deliveries.length === 0 ? (
          <p className="text-sm text-slate-600">
            No alerts yet. They appear here when the account fails, recovers, or you send a test alert.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Recent alerts">
            {view.deliveries.map((d) => (
              <li
                key={d.id}
                className="flex flex-wrap items-baseline justify-between gap-2 py-2 text-sm"
                data-testid="alert-delivery"
              >
                <span>
                  <span className={`font-medium ${STATUS_LABELS[d.status].className}`}>
                    {STATUS_LABELS[d.status].label}
                  </span>{" "}
                  · {EVENT_LABELS[d.event] ?? d.event} ·{" "}
                  {d.channel === "email" ? `email to ${d.target}` : `webhook (${d.target})`}
                  {d.lastError && d.status !== "SENT" ? <span className="text-slate-500"> · {d.lastError}</span> : null}
                  {d.status === "PENDING" ? (
                    <span className="text-slate-500">
                      {" "}
                      · next try <Time at={d.nextTry} />
                    </span>
                  ) : null}
                </span>
                <Time at={d.at} className="text-slate-500" />
              </li>
            ))}
          </ul>
        )}
      </Subsection>
    </div>
  );
}
