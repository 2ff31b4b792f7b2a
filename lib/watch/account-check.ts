// The scheduled account check (issue 13): log in to an organisation's saved account and QUIT, nothing sent, then
// record it and move the settings' status. A timeout or a refused connection counts as failing only on the second
// in a row (networks blip); anything else, an authentication failure above all, counts at once. The transition it
// returns (became failing, still failing, recovered) is what alerts are sent on.
import "server-only";
import type { Keyring } from "../crypto";
import { SecretDecryptError } from "../crypto";
import type { Db } from "../prisma";
import { passwordAad } from "../email-settings";
import { OAUTH_PROVIDERS, sendsWithMailboxLink, type OAuthConfig } from "../oauth/config";
import { mailboxAccessToken, OAuthRefreshError } from "../oauth/mailbox-link";
import { mailboxSignInFailed, savedPasswordUnreadable, type DiagnosisId } from "../smtp/diagnose";
import type { LookupAll } from "../smtp/address-guard";
import { failedBeforeConnecting, runSmtpTest, type SmtpTestResult } from "../smtp/test-send";

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
 * changed: the settings were saved while the check ran; the result describes old settings and is not applied.
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
  let result: SmtpTestResult | undefined;
  let password = "";
  let accessToken: string | undefined;
  try {
    if (withLink) accessToken = (await mailboxAccessToken(db, keyring, runner.oauth ?? { appUrl: undefined, clients: {} }, orgId)).accessToken;
    else password = keyring.decrypt(settings.passwordCiphertext!, passwordAad(orgId));
  } catch (err) {
    if (err instanceof OAuthRefreshError) {
      result = failedBeforeConnecting("login", err.message, mailboxSignInFailed({ providerLabel: OAUTH_PROVIDERS[err.provider].label, code: err.code, description: err.description }));
    } else if (err instanceof SecretDecryptError) {
      result = failedBeforeConnecting("login", err.message, savedPasswordUnreadable(err.message));
    } else throw err;
  }
  result ??= await runSmtpTest({
    mode: "login",
    host: settings.host,
    port: settings.port,
    security,
    user: settings.username,
    password,
    accessToken,
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
      ? { lastCheckAt: now, checkFailures: failures }
      : result.ok
        ? { lastCheckAt: now, checkFailures: 0, status: "WORKING", failingSince: null, lastTestError: null, lastTestAdvice: null }
        : {
            lastCheckAt: now,
            checkFailures: failures,
            status: "FAILING",
            failingSince,
            lastTestError: result.diagnosis?.title ?? "The check failed.",
            lastTestAdvice: result.diagnosis?.advice.join(" ") ?? null,
          };
  // Only while the settings are still the version checked: a save in the meantime is a new account to check.
  const applied = await db.emailSettings.updateMany({ where: { orgId, version: settings.version }, data });
  return { result, transition: applied.count === 1 ? transition : "changed", failingSince };
}
