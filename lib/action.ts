// The one wrapper every signed-in server action goes through. A server action is a public POST endpoint,
// so each call (a) reads the session, (b) checks the member's role, (c) parses the input (a form's FormData,
// or a plain object from a client enhancement) with the form's own zod schema, and only then (d) runs the
// body with the organisation-scoped context.
import "server-only";
import { z } from "zod";
import { unstable_rethrow } from "next/navigation";
import { getMemberContext, type MemberContext } from "./session";
import { isDatabaseFailure } from "./db-errors";
import { UserFacingError } from "./errors";
import { hasRole, type Role } from "./roles";

export type FieldErrors = Record<string, string[] | undefined>;

export type ActionState<R = unknown> = {
  ok?: boolean;
  message?: string;
  errors?: FieldErrors;
  /** Non-secret values echoed back so a form keeps what was typed after an error. */
  values?: Record<string, string>;
  /** Bumped on every result so forms can re-key and re-read their defaults. */
  at?: number;
  data?: Record<string, string>;
  /** A structured result for the page to show (e.g. a test send's steps). Never a secret. */
  result?: R;
};

export const SESSION_ENDED = "Your session has ended. Sign in again to continue.";
export const FORM_INVALID = "Some fields need attention; nothing was changed.";
export const DATABASE_FAILED = "Could not save: the database did not answer. Nothing was changed; try again.";

/** FormData as a plain object, without React's own $ACTION_ bookkeeping fields. */
export function formDataToObject(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION")) continue;
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

/** An action's input as a plain object of strings: FormData from a form, or an object from client code. */
export function actionInput(input: FormData | Record<string, unknown> | null | undefined): Record<string, string> {
  if (input instanceof FormData) return formDataToObject(input);
  const out: Record<string, string> = {};
  // Anything else a caller could send (numbers, nested objects) is left for the schema to refuse by name.
  for (const [key, value] of Object.entries(input ?? {})) out[key] = typeof value === "string" ? value : String(value);
  return out;
}

/**
 * Logs an unexpected error on the server before Next shows its error page: the action's name, the error's
 * name and message, and its stack. Never the input: it can hold a password.
 */
export function logActionError(action: string, err: unknown) {
  // Next's redirect() and notFound() work by throwing: they are not failures.
  if (isNavigationError(err)) return;
  const error = err instanceof Error ? err : new Error(String(err));
  console.error(`[action] ${action} failed: ${error.name}: ${error.message}\n${error.stack ?? ""}`);
}

function publicValues(raw: Record<string, string>, secretFields: readonly string[]) {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !secretFields.includes(k)));
}

/** Each issue goes to the field it concerns (the last path element, so nested schemas map to form fields). */
export function invalidInput(error: z.ZodError, values?: Record<string, string>): ActionState {
  const errors: FieldErrors = {};
  const formErrors: string[] = [];
  for (const issue of error.issues) {
    const field = [...issue.path].reverse().find((p) => typeof p === "string");
    if (field === undefined) formErrors.push(issue.message);
    else (errors[field] ??= []).push(issue.message);
  }
  const message = formErrors.length > 0 ? `${FORM_INVALID} ${formErrors.join(" ")}` : FORM_INVALID;
  return { ok: false, message, errors, values, at: Date.now() };
}

export function fromUserFacingError(err: UserFacingError, values?: Record<string, string>): ActionState {
  return {
    ok: false,
    message: err.message,
    errors: err.field ? { [err.field]: [err.message] } : undefined,
    values,
    at: Date.now(),
  };
}

function isNavigationError(err: unknown): boolean {
  try {
    unstable_rethrow(err);
    return false;
  } catch {
    return true;
  }
}

export function memberAction<S extends z.ZodType, R = unknown>(
  options: {
    /** For the server log when the body fails unexpectedly. */
    name: string;
    minimum: Role;
    schema: S;
    secretFields?: readonly string[];
    /** Fields of the same HTML form that belong to another action (dropped before parsing). */
    ignoreFields?: readonly string[];
    /** What the form says when the database fails (default DATABASE_FAILED). */
    databaseFailure?: string;
  },
  body: (input: z.infer<S>, ctx: MemberContext) => Promise<ActionState<R>>,
) {
  return async (_previous: ActionState<R>, input: FormData | Record<string, string>): Promise<ActionState<R>> => {
    const raw = actionInput(input);
    for (const field of options.ignoreFields ?? []) delete raw[field];
    const values = publicValues(raw, options.secretFields ?? []);
    try {
      const ctx = await getMemberContext();
      if (!ctx) return { ok: false, message: SESSION_ENDED, at: Date.now() };
      if (ctx.user.mustChangePassword) {
        return { ok: false, message: "Change your temporary password before doing anything else.", at: Date.now() };
      }
      if (!hasRole(ctx.role, options.minimum)) {
        const who = options.minimum === "OWNER" ? "owners" : "owners and admins";
        return {
          ok: false,
          message: `Only ${who} can do this. Your role is ${ctx.role.toLowerCase()}.`,
          at: Date.now(),
        };
      }
      const parsed = options.schema.safeParse(raw);
      if (!parsed.success) return invalidInput(parsed.error, values) as ActionState<R>;
      return { at: Date.now(), values, ...(await body(parsed.data, ctx)) };
    } catch (err) {
      if (err instanceof UserFacingError) return fromUserFacingError(err, values) as ActionState<R>;
      logActionError(options.name, err);
      // The form comes back with what was typed (never a secret) instead of the error page.
      if (isDatabaseFailure(err))
        return { ok: false, message: options.databaseFailure ?? DATABASE_FAILED, values, at: Date.now() };
      throw err;
    }
  };
}
