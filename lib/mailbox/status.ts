// The account's status (Not set up, Untested, Working, Failing), when it last worked, and when it is next checked. This module is the only
// writer of those columns: a save, a test of the saved settings, a scheduled check and a disconnected mailbox all
// move the status through it, each only from the state it read, so two writers racing never both win.
import "server-only";
import type { Db } from "../prisma";
import type { DiagnosisId } from "../smtp/diagnose";
import type { DeliveryResult } from "./transports/transport";

export type SettingsStatus = "NOT_SET_UP" | "UNTESTED" | "WORKING" | "FAILING";

/** A check runs this long after every save or new sign-in. */
export const CHECK_AFTER_SAVE_MS = 2 * 60_000;

/** Failures that may be a passing network problem: failing only when the next check fails too. */
export const TRANSIENT_DIAGNOSES: readonly DiagnosisId[] = ["timeout", "connection-refused", "provider-unreachable"];

type Writer = Pick<Db, "emailSettings">;

/**
 * Saved settings start untested, with a check of their own soon after. An alert already sent stays open, so the
 * other admins get the recovery notice once these settings work. Called in the save's transaction, for the version
 * it wrote.
 */
export async function markSaved(db: Writer, saved: { orgId: string; version: number }, now: Date): Promise<void> {
  await db.emailSettings.updateMany({
    where: saved,
    data: {
      status: "UNTESTED",
      lastTestError: null,
      lastTestAdvice: null,
      checkDueAt: new Date(now.getTime() + CHECK_AFTER_SAVE_MS),
      checkFailures: 0,
      failingSince: null,
      failingDiagnosisId: null,
    },
  });
}

/** A new sign-in to the linked mailbox is checked soon, whether or not the settings changed with it. */
export async function checkSoon(db: Writer, orgId: string, now: Date): Promise<void> {
  await db.emailSettings.updateMany({
    where: { orgId },
    data: { checkDueAt: new Date(now.getTime() + CHECK_AFTER_SAVE_MS) },
  });
}

/** Settings that sent as a mailbox now disconnected, with no password to fall back on, have nothing to send with. */
export async function markNothingToSendWith(db: Writer, orgId: string, mailbox: string): Promise<void> {
  await db.emailSettings.updateMany({
    where: { orgId, username: mailbox, passwordCiphertext: null },
    data: { status: "NOT_SET_UP", lastTestError: null, lastTestAdvice: null },
  });
}

/** What a failure leaves on the row: its title and advice, and the diagnosis the banner's button is chosen by. */
function failureText(result: DeliveryResult, fallback: string) {
  return {
    failingDiagnosisId: result.diagnosis?.id ?? null,
    lastTestError: result.diagnosis?.title ?? fallback,
    lastTestAdvice: result.diagnosis?.advice.join(" ") ?? null,
  };
}

/**
 * A person's test of exactly the saved settings moves the status, while those settings are still the version
 * tested: a Working badge describes the settings as they are now. A refused Send to address says nothing about the
 * account itself, so it moves nothing.
 */
export async function recordTestResult(
  db: Writer,
  tested: { orgId: string; version: number },
  result: DeliveryResult,
  now: Date,
): Promise<void> {
  if (result.diagnosis?.id === "recipient-refused") return;
  await db.emailSettings.updateMany({
    where: tested,
    data: result.ok
      ? {
          status: "WORKING",
          lastTestAt: now,
          workedAt: now,
          failingDiagnosisId: null,
          lastTestError: null,
          lastTestAdvice: null,
        }
      : { status: "FAILING", lastTestAt: now, ...failureText(result, "The test failed.") },
  });
}

/**
 * ok: working, as before. recovered: working again after failing. failing: has just started failing (alert).
 * still-failing: failing, as before. unconfirmed: a first transient failure (the status is unchanged).
 * changed: the settings were saved, or another check moved the status, while this one ran; its result is not applied.
 */
export type CheckTransition = "ok" | "recovered" | "failing" | "still-failing" | "unconfirmed" | "changed";

/** The settings as the check read them before signing in: the state its transition starts from. */
export type CheckedState = {
  orgId: string;
  version: number;
  status: SettingsStatus;
  checkFailures: number;
  failingSince: Date | null;
};

/**
 * A scheduled check's result. A timeout or a refused connection counts as failing only on the second in a row
 * (networks blip); anything else, an authentication failure above all, counts at once. The update applies only
 * while the settings are still the version checked and in the state read, so of two checks racing one moves it and
 * one alerts.
 */
export async function applyCheckResult(
  db: Writer,
  before: CheckedState,
  result: DeliveryResult,
  now: Date,
): Promise<{ transition: CheckTransition; failingSince: Date | null }> {
  const wasFailing = before.status === "FAILING";
  const failures = result.ok ? 0 : before.checkFailures + 1;
  const transient = !result.ok && TRANSIENT_DIAGNOSES.includes(result.diagnosis?.id ?? "other-reply");
  const transition: CheckTransition = result.ok
    ? wasFailing
      ? "recovered"
      : "ok"
    : wasFailing
      ? "still-failing"
      : transient && failures < 2
        ? "unconfirmed"
        : "failing";
  const failingSince = result.ok
    ? null
    : wasFailing
      ? (before.failingSince ?? now)
      : transition === "failing"
        ? now
        : null;
  const checked = { lastCheckAt: now, checkDueAt: null, checkFailures: failures };
  const data =
    transition === "unconfirmed"
      ? checked
      : result.ok
        ? {
            ...checked,
            status: "WORKING" as const,
            workedAt: now,
            failingSince: null,
            failingDiagnosisId: null,
            lastTestError: null,
            lastTestAdvice: null,
          }
        : {
            ...checked,
            status: "FAILING" as const,
            failingSince,
            ...failureText(result, "The check failed."),
          };
  const applied = await db.emailSettings.updateMany({
    where: { orgId: before.orgId, version: before.version, status: before.status, checkFailures: before.checkFailures },
    data,
  });
  return { transition: applied.count === 1 ? transition : "changed", failingSince };
}
