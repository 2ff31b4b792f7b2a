"use client";
// The finance email form. Provider presets fill Server, TLS Port and Security; Security follows the port
// until the user picks it; the password is write-only (never sent to the browser, blank keeps it).
import Link from "next/link";
import { useActionState, useEffect, useRef, useState, useTransition } from "react";
import { FieldError, FormMessage, SubmitButton, TextField } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import type { EmailFormInitial } from "@/lib/finance-email-page";
import { defaultSecurityForPort, getPreset, isGooglePreset, PRESETS, securityMismatchWarning, type Security } from "@/lib/smtp/presets";
import { splitHostPort } from "@/lib/smtp/schema";
import type { FormFix } from "@/lib/smtp/diagnose";
import { detectProviderAction, saveEmailSettingsAction, testEmailSettingsAction, type TestResultForPage } from "./actions";
import { TestPanel, type TestIntent } from "./test-panel";

type TestControls = {
  state: ActionState<TestResultForPage>;
  pending: boolean;
  pendingIntent: TestIntent | null;
  run: (intent: TestIntent) => void;
  defaultSendTo: string;
  budgetSeconds: number;
};

export function EmailSettingsForm({
  initial,
  defaultSendTo,
  budgetSeconds,
  onChanged,
}: {
  initial: EmailFormInitial;
  defaultSendTo: string;
  budgetSeconds: number;
  /** Called after a save or a test, so the page shows the new status, tests and history. */
  onChanged: () => void;
}) {
  const [state, action, savePending] = useActionState(saveEmailSettingsAction, {} as ActionState);
  const [testState, testDispatch, testPending] = useActionState(testEmailSettingsAction, {} as ActionState<TestResultForPage>);
  const [pendingIntent, setPendingIntent] = useState<TestIntent | null>(null);
  const [, startDispatch] = useTransition();
  const formRef = useRef<HTMLFormElement>(null);
  // After a refused save, start from what was typed (never the password); after a good one, from the saved values.
  const values = state.ok === false && state.values ? { ...initial, ...state.values, version: initial.version } : initial;
  // Field errors from a test run (it validates with the same schema) show next to the same fields.
  const errors = { ...(testState.errors ?? {}), ...(state.errors ?? {}) };

  useEffect(() => {
    if (state.ok) onChanged();
  }, [state, onChanged]);
  useEffect(() => {
    if (testState.result) onChanged();
  }, [testState, onChanged]);

  // A test is dispatched by hand, not as a form action, so the form keeps what was typed.
  const run = (intent: TestIntent) => {
    if (!formRef.current) return;
    const data = new FormData(formRef.current);
    data.set("intent", intent);
    setPendingIntent(intent);
    startDispatch(() => testDispatch(data));
  };

  // Saving is dispatched by hand too: React's automatic reset after a form action would put the controlled
  // selects back to their first option.
  const save = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startDispatch(() => action(data));
  };

  return (
    <form ref={formRef} action={action} onSubmit={save} noValidate className="space-y-6" aria-describedby="settings-form-message">
      <div id="settings-form-message">
        <FormMessage ok={state.ok} message={state.message} />
      </div>
      <SettingsFields
        // Fields start again from the saved values when a save lands (the reload brings a new version) and
        // from what was typed when one is refused.
        key={`${initial.version}-${state.ok === false ? (state.at ?? 0) : ""}`}
        values={values}
        errors={errors}
        savePending={savePending}
        test={{ state: testState, pending: testPending, pendingIntent: testPending ? pendingIntent : null, run, defaultSendTo, budgetSeconds }}
      />
    </form>
  );
}

function SettingsFields({
  values,
  errors,
  test,
  savePending,
}: {
  values: EmailFormInitial;
  errors: Record<string, string[] | undefined>;
  test: TestControls;
  savePending: boolean;
}) {
  const [provider, setProvider] = useState(values.provider);
  const [host, setHost] = useState(values.host);
  const [port, setPort] = useState(values.port);
  const [security, setSecurity] = useState(values.security || "starttls");
  // Security follows the port until someone picks it; a saved value that differs from the port's default counts as picked.
  const [securityChosen, setSecurityChosen] = useState(
    Boolean(values.port) && values.security !== defaultSecurityForPort(Number(values.port)),
  );
  const [suggestion, setSuggestion] = useState<{ presetId: string; reason: string } | null>(null);
  const [, startDetect] = useTransition();
  const preset = getPreset(provider);
  const google = isGooglePreset(provider);
  const portNumber = Number(port);
  const warning = Number.isInteger(portNumber) ? securityMismatchWarning(portNumber, security as Security) : null;
  const split = splitHostPort(host);

  function applyPreset(id: string) {
    setProvider(id);
    setSuggestion(null);
    const p = getPreset(id);
    if (p && p.host) {
      setHost(p.host);
      setPort(String(p.port));
      setSecurity(p.security);
      setSecurityChosen(false);
    }
  }

  function changePort(value: string) {
    setPort(value);
    const n = Number(value);
    if (!securityChosen && Number.isInteger(n) && n > 0) setSecurity(defaultSecurityForPort(n));
  }

  function detect(user: string) {
    if ((provider && provider !== "custom") || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(user.trim())) return;
    startDetect(async () => {
      const body = new FormData();
      body.set("user", user.trim());
      const result = await detectProviderAction({}, body);
      const found = result.data?.presetId;
      setSuggestion(found && found !== provider ? { presetId: found, reason: result.data?.reason ?? "" } : null);
    });
  }

  const helpHref = (anchor: string) => `/help/${preset?.helpSlug ?? "custom-smtp"}#${anchor}`;

  return (
    <>
      <input type="hidden" name="version" value={values.version} />
      <fieldset className="space-y-4">
        <legend className="text-base font-semibold text-slate-900">SMTP account</legend>
        <SelectRow
          name="provider"
          label="Provider"
          value={provider}
          onChange={applyPreset}
          errors={errors.provider}
          hint="Choosing a provider fills in its server, port and security."
        >
          <option value="">Choose your provider…</option>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectRow>

        <div className="grid gap-4 sm:grid-cols-[1fr_11rem_11rem]">
          <div>
            <TextField
              name="host"
              label="Server"
              value={host}
              onChange={setHost}
              errors={errors.host}
              hint={preset?.host ? `${preset.name}: ${preset.host}` : "The SMTP server name from your provider, like smtp.example.com."}
              helpHref={helpHref("server")}
              autoComplete="off"
            />
            {split && (
              <button
                type="button"
                onClick={() => {
                  setHost(split.host);
                  changePort(String(split.port));
                }}
                className="mt-1 text-sm font-medium text-brand-700 underline"
              >
                Split into Server {split.host} and TLS Port {split.port}
              </button>
            )}
          </div>
          <TextField
            name="port"
            label="TLS Port"
            value={port}
            onChange={changePort}
            errors={errors.port}
            inputMode="numeric"
            hint={preset?.host ? portHint(preset.port, preset.alternatives.map((a) => a.port)) : "Usually 587 or 465."}
            helpHref={helpHref("port")}
          />
          <SelectRow
            name="security"
            label="Security"
            value={security}
            onChange={(v) => {
              setSecurity(v);
              setSecurityChosen(true);
            }}
            errors={errors.security}
            hint="465 uses SSL/TLS; 587 uses STARTTLS."
          >
            <option value="starttls">STARTTLS</option>
            <option value="ssl">SSL/TLS</option>
          </SelectRow>
        </div>
        {warning && (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {warning}{" "}
            <button
              type="button"
              className="font-medium underline"
              onClick={() => {
                setSecurity(defaultSecurityForPort(portNumber));
                setSecurityChosen(true);
              }}
            >
              Use {defaultSecurityForPort(portNumber) === "ssl" ? "SSL/TLS" : "STARTTLS"}
            </button>
          </p>
        )}

        <div>
          <TextField
            name="user"
            label="User"
            defaultValue={values.user}
            errors={errors.user}
            hint={preset?.userHint ?? "Usually your full email address."}
            helpHref={helpHref("user")}
            autoComplete="off"
            onBlur={detect}
          />
          {suggestion && (
            <div role="status" className="mt-2 flex flex-wrap items-center gap-2 rounded-md border border-brand-100 bg-brand-50 px-3 py-2 text-sm text-brand-800">
              <span>
                This looks like a {getPreset(suggestion.presetId)?.name} address
                {suggestion.reason === "mx" ? " (from the domain's mail servers)" : ""}.
              </span>
              <button type="button" className="font-semibold underline" onClick={() => applyPreset(suggestion.presetId)}>
                Use {getPreset(suggestion.presetId)?.name} settings
              </button>
              <button type="button" className="text-brand-700" onClick={() => setSuggestion(null)} aria-label="Dismiss suggestion">
                Not now
              </button>
            </div>
          )}
        </div>

        <div>
          <TextField
            name="password"
            label="Password"
            type="password"
            errors={errors.password}
            autoComplete="new-password"
            placeholder={values.passwordSavedOn ? "••••••••••••" : undefined}
            hint={
              <>
                {values.passwordSavedOn && (
                  <span className="block font-medium text-slate-700" data-testid="password-saved-note">
                    Saved on {values.passwordSavedOn}; leave blank to keep it.
                  </span>
                )}
                {preset?.passwordHint ?? "The password or app password for this account."}
              </>
            }
            helpHref={helpHref("password")}
          />
          {errors.password?.[0]?.startsWith("Google requires an app password") && (
            <Link href="/help/google-mail-smtp#app-password" className="mt-1 block text-sm font-medium text-brand-700 underline">
              How to create a Google app password
            </Link>
          )}
          {google && (
            <div className="mt-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-950" data-testid="google-notes">
              <p className="font-medium">Google needs two things first</p>
              <ul className="mt-1 list-disc space-y-0.5 pl-5">
                <li>
                  <Link className="underline" href="/help/google-mail-smtp#two-step-verification">
                    2-Step Verification
                  </Link>{" "}
                  turned on for the account.
                </li>
                <li>
                  An{" "}
                  <Link className="underline" href="/help/google-mail-smtp#app-password">
                    app password
                  </Link>{" "}
                  (16 letters) — your usual Google password will not work. Changing the Google password revokes it.
                </li>
              </ul>
            </div>
          )}
          {preset && !google && preset.requirements.length > 0 && (
            <ul className="mt-2 list-disc space-y-0.5 pl-5 text-xs text-slate-600">
              {preset.requirements.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </div>
      </fieldset>

      <fieldset className="space-y-4 border-t border-slate-100 pt-6">
        <legend className="text-base font-semibold text-slate-900">How your mail is addressed</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            name="fromName"
            label="From name"
            defaultValue={values.fromName}
            errors={errors.fromName}
            hint="What recipients see, e.g. Riverside Physio Accounts."
          />
          <TextField
            name="fromAddress"
            label="From address"
            type="email"
            inputMode="email"
            defaultValue={values.fromAddress}
            errors={errors.fromAddress}
            hint={preset?.rewritesFrom ? "Use the account's own address or a verified alias, or Google will replace it." : "The address your finance mail comes from."}
          />
        </div>
        <TextField
          name="replyTo"
          label="Reply-to"
          type="email"
          inputMode="email"
          defaultValue={values.replyTo}
          errors={errors.replyTo}
          hint="Optional: where replies go, if not the From address."
        />
      </fieldset>

      <div className="flex items-center gap-3 border-t border-slate-100 pt-6">
        <SubmitButton pendingLabel="Saving…" pending={savePending}>
          Save settings
        </SubmitButton>
      </div>

      <TestPanel
        state={test.state}
        pending={test.pending}
        pendingIntent={test.pendingIntent}
        defaultSendTo={test.defaultSendTo}
        budgetSeconds={test.budgetSeconds}
        onRun={test.run}
        onFix={(fix: FormFix) => {
          if (fix.field === "security") {
            setSecurity(fix.value);
            setSecurityChosen(true);
          } else if (fix.field === "host") setHost(fix.value);
          else changePort(fix.value);
        }}
      />
    </>
  );
}

function portHint(recommended: number, others: number[]) {
  const alternatives = others.filter((p) => p !== recommended);
  return `${recommended} (recommended)${alternatives.length ? ` or ${alternatives.join(", ")}` : ""}`;
}

function SelectRow({ name, label, value, onChange, errors, hint, children }: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors?: string[];
  hint?: string;
  children: React.ReactNode;
}) {
  const id = `field-${name}`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        name={name}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={`${id}-hint ${id}-error`}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
      >
        {children}
      </select>
      <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
        {hint}
      </p>
      <FieldError id={`${id}-error`} errors={errors} />
    </div>
  );
}
