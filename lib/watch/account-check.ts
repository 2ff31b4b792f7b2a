// The scheduled account check (issue 13): log in to an organisation's saved account and QUIT, nothing sent, then
// record it and move the settings' status. A timeout or a refused connection counts as failing only on the second
// in a row (networks blip); anything else, an authentication failure above all, counts at once. The transition it
// returns (became failing, still failing, recovered) is what alerts are sent on.
import "server-only";
import type { Keyring } from "../secrets/crypto";
import type { Db } from "../prisma";
import { sendsWithMailboxLink, type OAuthConfig } from "../mailbox/link/providers";
import { savedCredential } from "../mailbox/credential";
import type { DiagnosisId } from "../smtp/diagnose";
import type { LookupAll } from "../net/address-guard";
import { failedBeforeConnecting, runSmtpTest, type SmtpTestResult } from "../mailbox/transports/smtp";

/** Failures that may be a passing network problem: failing only when the next check fails too. */
export const TRANSIENT_DIAGNOSES: readonly DiagnosisId[] = ["timeout", "connection-refused"];

export type CheckRunner = {
  db: Db;
  keyring: Keyring;
  budgetMs: number;
  allowPrivate: boolean;
  oauth?: OAuthConfig;
  lookup?: LookupAll;
};

/**
 * ok: working, as before. recovered: working again after failing. failing: has just started failing (alert).
 * still-failing: failing, as before. unconfirmed: a first transient failure (the status is unchanged).
 * changed: the settings were saved, or another check moved the status, while this one ran; its result is not applied.
 */
export type CheckTransition = "ok" | "recovered" | "failing" | "still-failing" | "unconfirmed" | "changed";
export type CheckOutcome = { result: SmtpTestResult; transition: CheckTransition; failingSince: Date | null };

/** Checks one organisation's saved account. null when there is nothing to check (no settings, or no credentials). */
export async function checkAccount(runner: CheckRunner, orgId: string, now = new Date()): Promise<CheckOutcome | null> {
  const { db, keyring } = runner;
  const settings = await db.emailSettings.findUnique({ where: { orgId } });
  if (!settings || settings.status === "NOT_SET_UP") return null;
  const link = await db.mailboxLink.findUnique({ where: { orgId }, select: { provider: true, email: true } });
  const withLink = sendsWithMailboxLink(link, { provider: settings.provider, host: settings.host, user: settings.username });
  if (!withLink && !settings.passwordCiphertext) return null;

  const security = settings.security === "ssl" ? "ssl" : "starttls";
  const credential = await savedCredential(runner, orgId, withLink ? { withLink } : { withLink, passwordCiphertext: settings.passwordCiphertext! });
  const result: SmtpTestResult = !credential.ok
    ? failedBeforeConnecting("login", credential.detail, credential.diagnosis)
    : await runSmtpTest({
        mode: "login",
        host: settings.host,
        port: settings.port,
        security,
        user: settings.username,
        password: credential.password ?? "",
        accessToken: credential.accessToken,
        provider: settings.provider,
        envelopeFrom: settings.fromAddress,
        to: settings.fromAddress,
        message: async () => Buffer.alloc(0),
        budgetMs: runner.budgetMs,
        allowPrivate: runner.allowPrivate,
        lookup: runner.lookup,
      });

  await db.accountCheck.create({
    data: {
      orgId,
      checkedAt: now,
      ok: result.ok,
      failedStep: result.failedStep ?? null,
      diagnosisId: result.diagnosis?.id ?? null,
      durationMs: result.durationMs,
    },
  });

  const wasFailing = settings.status === "FAILING";
  const failures = result.ok ? 0 : settings.checkFailures + 1;
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
  const failingSince = result.ok ? null : wasFailing ? (settings.failingSince ?? now) : transition === "failing" ? now : null;
  const data =
    transition === "unconfirmed"
      ? { lastCheckAt: now, checkDueAt: null, checkFailures: failures }
      : result.ok
        ? { lastCheckAt: now, checkDueAt: null, checkFailures: 0, status: "WORKING", failingSince: null, failingDiagnosisId: null, lastTestError: null, lastTestAdvice: null }
        : {
            lastCheckAt: now,
            checkDueAt: null,
            checkFailures: failures,
            status: "FAILING",
            failingSince,
            failingDiagnosisId: result.diagnosis?.id ?? null,
            lastTestError: result.diagnosis?.title ?? "The check failed.",
            lastTestAdvice: result.diagnosis?.advice.join(" ") ?? null,
          };
  // Only while the settings are still the version checked (a save in the meantime is a new account to check) and
  // the status is still the one this transition starts from: of two checks racing, one moves it, so one alerts.
  const applied = await db.emailSettings.updateMany({
    where: { orgId, version: settings.version, status: settings.status, checkFailures: settings.checkFailures },
    data,
  });
  return { result, transition: applied.count === 1 ? transition : "changed", failingSince };
}
