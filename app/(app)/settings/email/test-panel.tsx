"use client";
// "Send test email" / "Check connection": owns the test action's state. It runs the test on what is in the
// surrounding form (not only what is saved) and shows each step, the diagnosis with advice, and the server's
// (redacted) reply. The action's response also re-renders the page's status and recent tests.
import Link from "next/link";
import { useActionState, useEffect, useRef, useState, useTransition } from "react";
import type { ActionState, FieldErrors } from "@/lib/action";
import type { FormFix } from "@/lib/smtp/diagnose";
import { ErrorSummary } from "@/app/_components/form";
import { EMAIL_SETTINGS_FIELD_LABELS } from "@/lib/mailbox/field-labels";
import { testEmailSettingsAction, type TestResultForPage } from "./actions";

export type TestIntent = "send" | "check";

const TEST_FIELD_LABELS = { ...EMAIL_SETTINGS_FIELD_LABELS, sendTo: "Send to" };

function namesAField(errors: FieldErrors | undefined): boolean {
  return Object.entries(errors ?? {}).some(([name, messages]) => name in TEST_FIELD_LABELS && messages?.length);
}

/** The two ways to test: a whole email (the main action), or the connection up to the recipient (nothing sent). */
const TEST_BUTTONS: { intent: TestIntent; label: string; pendingLabel: string; className: string }[] = [
  {
    intent: "send",
    label: "Send test email",
    pendingLabel: "Sending…",
    className: "bg-slate-900 text-white shadow-sm hover:bg-slate-800",
  },
  {
    intent: "check",
    label: "Check connection",
    pendingLabel: "Checking…",
    className: "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50",
  },
];

export function TestPanel({
  defaultSendTo,
  budgetSeconds,
  onFix,
  onFieldErrors,
}: {
  defaultSendTo: string;
  budgetSeconds: number;
  /** A diagnosis's one-click fix, applied to the form's fields. */
  onFix: (fix: FormFix) => void;
  /** The test's errors for the form's fields (the same schema as saving), to show next to those fields. */
  onFieldErrors: (errors: FieldErrors) => void;
}) {
  const [state, dispatch, pending] = useActionState(testEmailSettingsAction, {} as ActionState<TestResultForPage>);
  const [intent, setIntent] = useState<TestIntent | null>(null);
  const [, startTest] = useTransition();
  const panel = useRef<HTMLElement>(null);
  const pendingIntent = pending ? intent : null;

  useEffect(() => {
    onFieldErrors(state.errors ?? {});
  }, [state, onFieldErrors]);

  // Dispatched in a transition, not as a form action, so the form keeps what was typed.
  const onRun = (next: TestIntent) => {
    const form = panel.current?.closest("form");
    if (!form) return;
    const data = new FormData(form);
    data.set("intent", next);
    setIntent(next);
    startTest(() => dispatch(data));
  };

  const result = state.result;
  const sendToError = state.errors?.sendTo?.[0];
  return (
    <section ref={panel} aria-labelledby="test-heading" className="space-y-4 border-t border-slate-100 pt-6">
      <div>
        <h2 id="test-heading" className="text-base font-semibold text-slate-900">
          Test these settings
        </h2>
        <p className="mt-0.5 text-sm text-slate-600">
          Tests what is in the form above, so you can try before saving. A blank Password uses the saved one, on the
          saved server and user only.
        </p>
      </div>
      <noscript>
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Sending a test needs JavaScript. Saving works without it.
        </p>
      </noscript>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <label htmlFor="field-sendTo" className="block text-sm font-medium text-slate-800">
            Send to
          </label>
          <input
            id="field-sendTo"
            name="sendTo"
            type="email"
            inputMode="email"
            defaultValue={state.values?.sendTo ?? defaultSendTo}
            aria-invalid={sendToError ? true : undefined}
            aria-describedby="field-sendTo-error"
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
          />
          <p id="field-sendTo-error" aria-live="polite" className="mt-1 text-sm text-red-700 empty:hidden">
            {sendToError}
          </p>
        </div>
        <div className="flex gap-2 pb-0.5">
          {TEST_BUTTONS.map((b) => (
            <button
              key={b.intent}
              type="button"
              disabled={pending}
              onClick={() => onRun(b.intent)}
              className={`inline-flex items-center gap-2 rounded-md px-4 py-2 text-sm font-semibold disabled:opacity-60 ${b.className}`}
            >
              {pendingIntent === b.intent && <Spinner />}
              {pendingIntent === b.intent ? b.pendingLabel : b.label}
            </button>
          ))}
        </div>
      </div>

      <div aria-live="polite" className="space-y-3" data-testid="test-result">
        {pending && (
          <p className="text-sm text-slate-600">
            Contacting the server… this takes a few seconds, and at most {budgetSeconds} seconds.
          </p>
        )}
        {!pending && state.message && !result && (
          // Refused before running: each field's own message, linked to it, where the person pressed the button.
          <ErrorSummary
            title="Nothing was sent: fix these first."
            errors={state.errors ?? {}}
            labels={TEST_FIELD_LABELS}
          />
        )}
        {!pending && state.message && !result && !namesAField(state.errors) && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
            {state.message}
          </p>
        )}
        {!pending && result && (
          <>
            <div
              role={result.ok ? "status" : "alert"}
              className={`rounded-md border px-3 py-2 text-sm ${result.ok ? "border-emerald-200 bg-emerald-50 text-emerald-950" : "border-red-200 bg-red-50 text-red-950"}`}
            >
              <p className="font-semibold">{state.message}</p>
              {result.diagnosis && (
                <div className="mt-1 space-y-1" data-testid="diagnosis" data-diagnosis={result.diagnosis.id}>
                  <p>{result.diagnosis.explanation}</p>
                  <ul className="list-disc pl-5">
                    {result.diagnosis.advice.map((a) => (
                      <li key={a}>{a}</li>
                    ))}
                  </ul>
                  <div className="flex flex-wrap items-center gap-3 pt-1">
                    {result.diagnosis.fix && (
                      <button
                        type="button"
                        onClick={() => onFix(result.diagnosis!.fix!)}
                        className="rounded-md bg-white px-3 py-1.5 text-sm font-semibold text-red-900 ring-1 ring-red-300 hover:bg-red-100"
                      >
                        {result.diagnosis.fix.label}
                      </button>
                    )}
                    {result.diagnosis.pageLink && (
                      <Link href={result.diagnosis.pageLink.href} className="font-semibold underline">
                        {result.diagnosis.pageLink.label}
                      </Link>
                    )}
                    <Link href={result.diagnosis.helpHref} className="font-medium underline">
                      Read the troubleshooting guide
                    </Link>
                  </div>
                </div>
              )}
            </div>
            {result.notes.map((note) => (
              <p key={note} className="rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-950">
                {note}
              </p>
            ))}
            <ol
              className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white text-sm"
              aria-label="Test steps"
            >
              {result.steps.map((s) => (
                <li
                  key={s.id}
                  className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 px-3 py-2"
                  data-step={s.id}
                  data-status={s.status}
                >
                  <StatusIcon status={s.status} />
                  <span className="font-medium text-slate-900">{s.label}</span>
                  <span className="text-slate-500">
                    {s.status === "skipped" ? "not reached" : `${s.status === "ok" ? "OK" : "Failed"} · ${s.ms} ms`}
                  </span>
                  {s.detail && <span className="basis-full pl-7 text-slate-600">{s.detail}</span>}
                </li>
              ))}
            </ol>
            {result.reply && (
              <div>
                <p className="text-xs font-medium text-slate-500">Server reply</p>
                <pre
                  className="mt-1 overflow-x-auto whitespace-pre-wrap rounded-md bg-slate-900 px-3 py-2 text-xs text-slate-100"
                  data-testid="server-reply"
                >
                  {result.reply}
                </pre>
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}

function Spinner() {
  return (
    <span aria-hidden className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />
  );
}

function StatusIcon({ status }: { status: "ok" | "failed" | "skipped" }) {
  const map = {
    ok: { symbol: "✓", className: "bg-emerald-100 text-emerald-800", label: "passed" },
    failed: { symbol: "✕", className: "bg-red-100 text-red-800", label: "failed" },
    skipped: { symbol: "–", className: "bg-slate-100 text-slate-500", label: "not reached" },
  }[status];
  return (
    <span
      className={`inline-flex size-5 items-center justify-center rounded-full text-xs font-bold ${map.className}`}
      role="img"
      aria-label={map.label}
    >
      {map.symbol}
    </span>
  );
}
