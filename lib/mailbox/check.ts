// The scheduled account check: sign in to an organisation's saved account and leave, nothing sent, record the
// check, and move the settings' status (lib/mailbox/status.ts). The transition it returns (became failing, still
// failing, recovered) is what the watch sends alerts on.
import "server-only";
import type { Keyring } from "../secrets/crypto";
import type { Db } from "../prisma";
import { sendsWithMailboxLink, type OAuthConfig } from "../smtp/sign-in-providers";
import { savedCredential } from "./credential";
import { applyCheckResult, type CheckTransition } from "./status";
import { smtpTransport } from "./transports/smtp";
import { failedBeforeConnecting, type DeliveryResult, type NetworkPolicy } from "./transports/transport";

export type CheckRunner = NetworkPolicy & { db: Db; keyring: Keyring; oauth?: OAuthConfig };

export type CheckOutcome = { result: DeliveryResult; transition: CheckTransition; failingSince: Date | null };

/** Checks one organisation's saved account. null when there is nothing to check (no settings, or no credentials). */
export async function checkAccount(runner: CheckRunner, orgId: string, now = new Date()): Promise<CheckOutcome | null> {
  const { db } = runner;
  const settings = await db.emailSettings.findUnique({ where: { orgId } });
  if (!settings || settings.status === "NOT_SET_UP") return null;
  const link = await db.mailboxLink.findUnique({ where: { orgId }, select: { provider: true, email: true } });
  const withLink = sendsWithMailboxLink(link, {
    provider: settings.provider,
    host: settings.host,
    user: settings.username,
  });
  if (!withLink && !settings.passwordCiphertext) return null;

  const credential = await savedCredential(
    runner,
    orgId,
    withLink ? { withLink } : { withLink, passwordCiphertext: settings.passwordCiphertext! },
  );
  const result = !credential.ok
    ? failedBeforeConnecting("login", credential.detail, credential.diagnosis)
    : await smtpTransport(runner).deliver(
        {
          provider: settings.provider,
          host: settings.host,
          port: settings.port,
          security: settings.security,
          user: settings.username,
        },
        credential.credential,
        {
          mode: "login",
          envelopeFrom: settings.fromAddress,
          to: settings.fromAddress,
          message: () => Promise.resolve(Buffer.alloc(0)),
        },
      );

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
  const { transition, failingSince } = await applyCheckResult(db, settings, result, now);
  return { result, transition, failingSince };
}
