"use client";
// The finance email form. It posts to the save action as a plain HTML form (so the basic path works without
// JavaScript: the server answers with field errors or the saved state); with JavaScript, presets, provider
// detection, live hints and the test panel are added on top. The password is write-only: never sent to the
// browser, blank keeps the saved one.
import { useActionState, useEffect, useRef, useState, useTransition } from "react";
import {
  ErrorSummary,
  FormMessage,
  SelectField,
  SubmitButton,
  TextField,
  type SelectOption,
} from "@/app/_components/form";
import { EMAIL_SETTINGS_FIELD_LABELS } from "@/lib/mailbox/field-labels";
import { focusFirstInvalid, useFocusFirstInvalid } from "@/app/_components/use-focus-first-invalid";
import type { ActionState, FieldErrors } from "@/lib/action";
import {
  defaultSecurityForPort,
  getPreset,
  PRESETS,
  securityMismatchWarning,
  type SmtpPreset,
  type Security,
} from "@/lib/smtp/presets";
import { splitHostPort } from "@/lib/smtp/host";
import type { FormFix } from "@/lib/smtp/diagnose";
import { detectProviderAction, saveEmailSettingsAction } from "./actions";
import type { EmailFormInitial } from "./page-data";
import { AddressingFields, PasswordField, Preparation } from "./account-fields";
import { TestPanel } from "./test-panel";
import { MailboxSignIn } from "./mailbox-sign-in";
import type { MailboxSignInView } from "./page-data";
import { oauthProviderForPreset } from "@/lib/smtp/sign-in-providers";

const PROVIDER_OPTIONS: SelectOption[] = [
  { value: "", label: "Choose your provider…" },
  ...PRESETS.map((p) => ({ value: p.id, label: p.name })),
];
const SECURITY_OPTIONS: SelectOption[] = [
  { value: "starttls", label: "STARTTLS" },
  { value: "ssl", label: "SSL/TLS" },
];

export function EmailSettingsForm({
  initial,
  defaultSendTo,
  budgetSeconds,
  mailboxSignIn,
}: {
  initial: EmailFormInitial;
  defaultSendTo: string;
  budgetSeconds: number;
  mailboxSignIn: MailboxSignInView;
}) {
  const [state, action, savePending] = useActionState(saveEmailSettingsAction, {} as ActionState);
  const [, startSave] = useTransition();
  // A refused save rendered by the server (no JavaScript) starts from what was typed, never the password.
  const values =
    state.ok === false && state.values ? { ...initial, ...state.values, version: initial.version } : initial;

  // With JavaScript the save runs in a transition rather than as the form's action: React resets a form after
  // its action, which would clear the password and what was typed when the save is refused.
  const save = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startSave(() => action(data));
  };

  // A refused save takes the eyes and the keyboard to the first field it names, with its message beside it.
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, state);

  return (
    <form
      ref={form}
      action={action}
      onSubmit={save}
      noValidate
      className="space-y-6"
      aria-describedby="settings-form-message"
    >
      <div id="settings-form-message">
        {state.ok === false && hasFieldErrors(state.errors) ? (
          <ErrorSummary
            title={state.message ?? FIELDS_REFUSED}
            errors={state.errors}
            labels={EMAIL_SETTINGS_FIELD_LABELS}
          />
        ) : (
          <FormMessage ok={state.ok} message={state.message} />
        )}
      </div>
      {/* After a save the fields start again from the saved values, so a blank Server shows the one now used. */}
      <SettingsFields
        key={state.ok ? `${initial.version}:${state.at}` : initial.version}
        values={values}
        saveErrors={state.errors ?? {}}
        savePending={savePending}
        defaultSendTo={defaultSendTo}
        budgetSeconds={budgetSeconds}
        mailboxSignIn={mailboxSignIn}
      />
    </form>
  );
}

function SettingsFields({
  values,
  saveErrors,
  savePending,
  defaultSendTo,
  budgetSeconds,
  mailboxSignIn,
}: {
  values: EmailFormInitial;
  saveErrors: FieldErrors;
  savePending: boolean;
  defaultSendTo: string;
  budgetSeconds: number;
  mailboxSignIn: MailboxSignInView;
}) {
  // A test validates with the same schema as a save: its field errors show next to the same fields.
  const [testErrors, setTestErrors] = useState<FieldErrors>({});
  const errors = { ...testErrors, ...saveErrors };
  const fields = useRef<HTMLInputElement>(null);
  // A refused test, like a refused save, takes the keyboard to the first field it names.
  useEffect(() => {
    if (hasFieldErrors(testErrors)) focusFirstInvalid(fields.current?.form ?? null);
  }, [testErrors]);
  const [provider, setProvider] = useState(values.provider);
  const [user, setUser] = useState(values.user);
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
  // The chosen preset's sign-in provider, and the mailbox linked with it: then User is that mailbox, and no password.
  const signInProvider = oauthProviderForPreset(provider);
  const linked = signInProvider && mailboxSignIn.link?.provider === signInProvider ? mailboxSignIn.link : null;
  const offerPassword = !linked && provider !== "outlook-com";
  const effectiveUser = linked ? linked.email : user;

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

  function detect(typed: string) {
    if ((provider && provider !== "custom") || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(typed.trim())) return;
    startDetect(async () => {
      const result = await detectProviderAction({}, { user: typed.trim() });
      const found = result.data?.presetId;
      setSuggestion(found && found !== provider ? { presetId: found, reason: result.data?.reason ?? "" } : null);
    });
  }

  const helpHref = (anchor: string) => `/help/${preset?.helpSlug ?? "custom-smtp"}#${anchor}`;

  const serverFields = (
    <ServerFields
      preset={preset}
      host={host}
      port={port}
      security={security}
      readOnly={Boolean(linked)}
      errors={errors}
      helpHref={helpHref}
      onHost={setHost}
      onPort={changePort}
      onSecurity={(v) => {
        setSecurity(v);
        setSecurityChosen(true);
      }}
    />
  );

  return (
    <>
      <input ref={fields} type="hidden" name="version" value={values.version} />
      <fieldset className="space-y-4">
        <legend className="text-base font-semibold text-slate-900">SMTP account</legend>
        <SelectField
          name="provider"
          label="Provider"
          options={PROVIDER_OPTIONS}
          value={provider}
          onChange={applyPreset}
          errors={errors.provider}
          hint="Choosing a provider fills in its server, port and security."
        />
        {offerPassword && <Preparation presetId={provider} />}
        {signInProvider && <MailboxSignIn provider={signInProvider} presetId={provider} view={mailboxSignIn} />}
        {/* Without a provider's preset the server is part of what the person copies from their provider. */}
        {!preset?.host && serverFields}

        <div>
          <TextField
            name="user"
            label="User"
            value={effectiveUser}
            onChange={setUser}
            readOnly={Boolean(linked)}
            errors={errors.user}
            hint={
              linked
                ? "The mailbox you signed in to. To send as another one, Reconnect and sign in to it."
                : (preset?.userHint ?? "Usually your full email address.")
            }
            helpHref={helpHref("user")}
            autoComplete="off"
            onBlur={detect}
          />
          {suggestion && (
            <div
              role="status"
              className="mt-2 flex flex-wrap items-center gap-2 rounded-md border border-brand-100 bg-brand-50 px-3 py-2 text-sm text-brand-800"
            >
              <span>
                This looks like {withArticle(getPreset(suggestion.presetId)?.name ?? "")} address
                {suggestion.reason === "mx" ? " (from the domain's mail servers)" : ""}.
              </span>
              <button
                type="button"
                className="font-semibold underline"
                onClick={() => applyPreset(suggestion.presetId)}
              >
                Use {getPreset(suggestion.presetId)?.name} settings
              </button>
              <button
                type="button"
                className="text-brand-700"
                onClick={() => setSuggestion(null)}
                aria-label="Dismiss suggestion"
              >
                Not now
              </button>
            </div>
          )}
        </div>

        {offerPassword && provider === "microsoft-365" && (
          <p className="text-sm text-slate-600" data-testid="microsoft-password-note">
            Or use a password: it works only while SMTP AUTH is turned on for the mailbox, and Microsoft turns password
            SMTP off by default for every organisation from the end of December 2026.
          </p>
        )}
        {offerPassword && (
          <PasswordField
            presetId={provider}
            passwordSavedOn={values.passwordSavedOn}
            errors={errors.password}
            helpHref={helpHref("password")}
          />
        )}
        {preset?.host && (
          <AdvancedServer preset={preset} host={host} port={port} security={security} errors={errors}>
            {serverFields}
          </AdvancedServer>
        )}
      </fieldset>

      <AddressingFields
        user={effectiveUser}
        rewritesFrom={Boolean(preset?.rewritesFrom)}
        defaults={{ fromName: values.fromName, fromAddress: values.fromAddress, replyTo: values.replyTo }}
        errors={errors}
      />

      <div className="flex items-center gap-3 border-t border-slate-100 pt-6">
        <SubmitButton pendingLabel="Saving…" pending={savePending}>
          Save settings
        </SubmitButton>
      </div>

      <TestPanel
        defaultSendTo={defaultSendTo}
        budgetSeconds={budgetSeconds}
        onFieldErrors={setTestErrors}
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

const SECURITY_LABELS: Record<string, string> = Object.fromEntries(SECURITY_OPTIONS.map((o) => [o.value, o.label]));

/**
 * Server, TLS Port and Security once a provider's preset filled them in: folded under "Advanced" with the values in
 * its summary, and open by itself when one of them is not the preset's or has an error (so nothing that needs the
 * person's eyes is hidden).
 */
function AdvancedServer({
  preset,
  host,
  port,
  security,
  errors,
  children,
}: {
  preset: SmtpPreset;
  host: string;
  port: string;
  security: string;
  errors: FieldErrors;
  children: React.ReactNode;
}) {
  const differs = host.trim() !== preset.host || port.trim() !== String(preset.port) || security !== preset.security;
  const invalid = Boolean(errors.host?.length || errors.port?.length || errors.security?.length);
  const [opened, setOpened] = useState(false);
  const shownHost = host.trim() || preset.host;
  const shownPort = port.trim() || String(preset.port);
  return (
    <details
      open={opened || differs || invalid}
      onToggle={(e) => setOpened(e.currentTarget.open)}
      className="group rounded-md border border-slate-200"
      data-testid="advanced-server"
    >
      <summary className="flex cursor-pointer flex-wrap items-baseline gap-x-3 gap-y-0.5 px-3 py-2 text-sm">
        <span aria-hidden className="text-slate-500 transition-transform group-open:rotate-90">
          ▸
        </span>
        <span className="font-medium text-slate-900">Advanced</span>{" "}
        <span className="text-slate-600" data-testid="advanced-summary">
          {preset.company} · {shownHost}:{shownPort}, {SECURITY_LABELS[security] ?? security}
        </span>
      </summary>
      <div className="space-y-4 border-t border-slate-100 px-3 pb-3 pt-3">{children}</div>
    </details>
  );
}

/** Server, TLS Port and Security, with the one-click split of "host:port" and the port/security mismatch warning. */
function ServerFields({
  preset,
  host,
  port,
  security,
  readOnly,
  errors,
  helpHref,
  onHost,
  onPort,
  onSecurity,
}: {
  preset: SmtpPreset | undefined;
  host: string;
  port: string;
  security: string;
  readOnly: boolean;
  errors: FieldErrors;
  helpHref: (anchor: string) => string;
  onHost: (value: string) => void;
  onPort: (value: string) => void;
  onSecurity: (value: string) => void;
}) {
  const portNumber = Number(port);
  const warning = Number.isInteger(portNumber) ? securityMismatchWarning(portNumber, security as Security) : null;
  const split = splitHostPort(host);
  // A blank Server or TLS Port saves as the preset's: the box says so instead of standing empty.
  const presetHost = preset?.host || undefined;
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_13rem_10rem]">
        <div>
          <TextField
            name="host"
            label="Server"
            value={host}
            onChange={onHost}
            readOnly={readOnly}
            errors={errors.host}
            placeholder={presetHost}
            hint={
              presetHost
                ? host.trim() === ""
                  ? `Blank uses ${preset!.company}'s: ${presetHost}`
                  : `${preset!.name}: ${presetHost}`
                : "The SMTP server name from your provider, like smtp.example.com."
            }
            helpHref={helpHref("server")}
            autoComplete="off"
          />
          {split && (
            <button
              type="button"
              onClick={() => {
                onHost(split.host);
                onPort(String(split.port));
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
          onChange={onPort}
          errors={errors.port}
          inputMode="numeric"
          placeholder={presetHost ? String(preset!.port) : undefined}
          hint={
            presetHost
              ? portHint(
                  preset!.port,
                  preset!.alternatives.map((a) => a.port),
                )
              : "Usually 587 or 465."
          }
          helpHref={helpHref("port")}
        />
        <SelectField
          name="security"
          label="Security"
          options={SECURITY_OPTIONS}
          value={security}
          onChange={onSecurity}
          errors={errors.security}
          hint="465 uses SSL/TLS; 587 uses STARTTLS."
        />
      </div>
      {warning && (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {warning}{" "}
          <button
            type="button"
            className="font-medium underline"
            onClick={() => onSecurity(defaultSecurityForPort(portNumber))}
          >
            Use {defaultSecurityForPort(portNumber) === "ssl" ? "SSL/TLS" : "STARTTLS"}
          </button>
        </p>
      )}
    </>
  );
}

const FIELDS_REFUSED = "Some fields need attention; nothing was changed.";

/** Whether a refusal names any of the form's fields. */
function hasFieldErrors(errors: FieldErrors | undefined): errors is FieldErrors {
  return Object.values(errors ?? {}).some((messages) => messages?.length);
}

function portHint(recommended: number, others: number[]) {
  const alternatives = others.filter((p) => p !== recommended);
  return `${recommended} (recommended)${alternatives.length ? ` or ${alternatives.join(", ")}` : ""}`;
}

/** "a Google Mail", "an Outlook.com": the article a name takes, by how it sounds at the start. */
function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name) ? "an" : "a"} ${name}`;
}
