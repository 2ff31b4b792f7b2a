"use client";
// Form building blocks shared by every form: labelled fields whose errors are announced and linked with
// aria-describedby, a submit button that says what is happening, and a message banner.
import Link from "next/link";
import { useFormStatus } from "react-dom";
import type { ReactNode } from "react";
import type { FieldErrors } from "@/lib/action";

export type ButtonVariant = "primary" | "secondary" | "danger";

/** The app's button look, for buttons that are not a form's submit button (a dialog's choices). */
export function buttonClass(variant: ButtonVariant): string {
  const styles = {
    primary: "bg-brand-700 text-white hover:bg-brand-800 disabled:bg-brand-700/60",
    secondary: "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 disabled:text-slate-400",
    danger: "bg-white text-red-700 ring-1 ring-red-200 hover:bg-red-50 disabled:text-red-300",
  }[variant];
  return `inline-flex items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-semibold shadow-sm transition ${styles}`;
}

export function SubmitButton({
  children,
  pendingLabel,
  variant = "primary",
  className = "",
  pending: pendingOverride,
  ...rest
}: {
  children: ReactNode;
  pendingLabel: string;
  /** For forms dispatched by hand (useFormStatus only sees form actions). */
  pending?: boolean;
  variant?: ButtonVariant;
  className?: string;
  name?: string;
  value?: string;
  "aria-label"?: string;
  /** Posts the surrounding form to another action than the form's own. */
  formAction?: (formData: FormData) => void | Promise<void>;
  onClick?: (event: React.MouseEvent<HTMLButtonElement>) => void;
}) {
  const status = useFormStatus();
  const pending = pendingOverride ?? status.pending;
  return (
    <button
      type="submit"
      disabled={pending}
      aria-disabled={pending}
      className={`${buttonClass(variant)} ${className}`}
      {...rest}
    >
      {pending && (
        <span aria-hidden className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />
      )}
      {pending ? pendingLabel : children}
    </button>
  );
}

export function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  return (
    <p id={id} aria-live="polite" className="mt-1 text-sm text-red-700 empty:hidden">
      {errors?.[0]}
    </p>
  );
}

type TextFieldProps = {
  name: string;
  label: string;
  type?: string;
  /** Uncontrolled start value; or pass value + onChange to control the field. */
  defaultValue?: string;
  value?: string;
  onChange?: (value: string) => void;
  onBlur?: (value: string) => void;
  errors?: string[];
  hint?: ReactNode;
  /** A "How do I find this?" link to the help section for this field. */
  helpHref?: string;
  autoComplete?: string;
  required?: boolean;
  autoFocus?: boolean;
  inputMode?: "email" | "numeric" | "text";
  maxLength?: number;
  placeholder?: string;
  readOnly?: boolean;
};

export function TextField({
  name,
  label,
  type = "text",
  defaultValue,
  value,
  onChange,
  onBlur,
  errors,
  hint,
  helpHref,
  ...input
}: TextFieldProps) {
  const id = `field-${name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const invalid = Boolean(errors?.length);
  return (
    <div>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="block whitespace-nowrap text-sm font-medium text-slate-800">
          {label}
        </label>
        {helpHref && (
          <Link
            href={helpHref}
            className="text-xs text-brand-700 underline"
            aria-label={`How do I find this? (${label})`}
          >
            How do I find this?
          </Link>
        )}
      </div>
      <input
        id={id}
        name={name}
        type={type}
        {...(onChange
          ? { value, onChange: (e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value) }
          : { defaultValue })}
        onBlur={onBlur ? (e) => onBlur(e.target.value) : undefined}
        spellCheck={type === "text" || type === "email" ? false : undefined}
        {...input}
        aria-invalid={invalid || undefined}
        aria-describedby={[hint ? hintId : null, errorId].filter(Boolean).join(" ")}
        className={`mt-1 block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm outline-none read-only:bg-slate-50 read-only:text-slate-700 focus:ring-2 ${
          invalid ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-600 focus:ring-brand-100"
        }`}
      />
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      <FieldError id={errorId} errors={errors} />
    </div>
  );
}

/** An email address: the email keyboard, and `username` for password managers unless told otherwise. */
export function EmailField(
  props: Omit<TextFieldProps, "name" | "label" | "type" | "inputMode"> & { name?: string; label?: string },
) {
  return <TextField name="email" label="Email" type="email" inputMode="email" autoComplete="username" {...props} />;
}

/** A password: `purpose` tells password managers whether to fill the saved one or to offer a new one. */
export function PasswordField({
  purpose,
  ...props
}: Omit<TextFieldProps, "type" | "autoComplete"> & { purpose: "current" | "new" }) {
  return (
    <TextField type="password" autoComplete={purpose === "new" ? "new-password" : "current-password"} {...props} />
  );
}

export type SelectOption = { value: string; label: string };

type SelectFieldProps = {
  name: string;
  label: string;
  options: readonly SelectOption[];
  /** Uncontrolled start value; or pass value + onChange to control the field. */
  defaultValue?: string;
  value?: string;
  onChange?: (value: string) => void;
  errors?: string[];
  hint?: ReactNode;
  /** A shown-only-to-screen-readers label, for a select inside a compact row. */
  hideLabel?: boolean;
  /** When several selects share a name on one page (one per row). */
  id?: string;
  compact?: boolean;
};

/** The one select markup: label, hint and error linked like TextField's. */
export function SelectField({
  name,
  label,
  options,
  defaultValue,
  value,
  onChange,
  errors,
  hint,
  hideLabel,
  id,
  compact,
}: SelectFieldProps) {
  const fieldId = id ?? `field-${name}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const invalid = Boolean(errors?.length);
  return (
    <div className={compact ? "flex items-center" : undefined}>
      <label htmlFor={fieldId} className={hideLabel ? "sr-only" : "block text-sm font-medium text-slate-800"}>
        {label}
      </label>
      <select
        id={fieldId}
        name={name}
        {...(onChange
          ? { value, onChange: (e: React.ChangeEvent<HTMLSelectElement>) => onChange(e.target.value) }
          : { defaultValue })}
        aria-invalid={invalid || undefined}
        aria-describedby={[hint ? hintId : null, compact ? null : errorId].filter(Boolean).join(" ") || undefined}
        className={`block rounded-md border bg-white text-sm shadow-sm ${compact ? "px-2 py-1.5" : "mt-1 w-full px-3 py-2"} ${
          invalid ? "border-red-400" : "border-slate-300"
        }`}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      {!compact && <FieldError id={errorId} errors={errors} />}
    </div>
  );
}

/** The result of the last submission: success is a polite status, failure an alert. */
export function FormMessage({ ok, message }: { ok?: boolean; message?: string }) {
  if (!message) return <div role="status" aria-live="polite" className="sr-only" />;
  return ok ? (
    <div
      role="status"
      aria-live="polite"
      className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
    >
      {message}
    </div>
  ) : (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
      {message}
    </div>
  );
}

/**
 * What a refused submission found, field by field, each a link that takes the keyboard to that field (the GOV.UK
 * error summary): it sits where the person is looking, whatever the distance to the field.
 */
export function ErrorSummary({
  title,
  errors,
  labels,
}: {
  title: string;
  errors: FieldErrors;
  /** Field name → its visible label; fields without one are left to the form's own message. */
  labels: Readonly<Record<string, string>>;
}) {
  const entries = Object.entries(errors).flatMap(([name, messages]) =>
    messages?.length && labels[name] ? [{ name, label: labels[name], message: messages[0] }] : [],
  );
  if (entries.length === 0) return null;
  const box = "rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900";
  // One field refused with the summary's own words: the words link to it, rather than saying it twice.
  if (entries.length === 1 && entries[0].message === title) {
    return (
      <div role="alert" className={box}>
        <FieldLink name={entries[0].name}>{title}</FieldLink>
      </div>
    );
  }
  return (
    <div role="alert" className={box}>
      <p className="font-semibold">{title}</p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5">
        {entries.map((e) => (
          <li key={e.name}>
            <FieldLink name={e.name}>
              {e.label}: {e.message}
            </FieldLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A link that takes the keyboard to a form field (an anchor alone would scroll to it but leave focus behind). */
function FieldLink({ name, children }: { name: string; children: ReactNode }) {
  return (
    <a
      href={`#field-${name}`}
      className="underline"
      onClick={(event) => {
        const field = document.getElementById(`field-${name}`);
        if (!field) return;
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }}
    >
      {children}
    </a>
  );
}
