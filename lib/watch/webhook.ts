// The organisation's alert webhook: an HTTPS URL on a public address, checked when it is set and again at every
// delivery, and posted to at the address that was checked (a second DNS answer cannot send it into this host's
// network). Its signing secret is made here and shown once; the secret and the URL (Slack's and Teams' URLs carry a
// token) are stored only encrypted, and a browser is only ever shown the URL's host.
import "server-only";
import crypto from "node:crypto";
import https from "node:https";
import { webhookSecretAad, webhookUrlAad } from "../secrets/bindings";
import type { Keyring } from "../secrets/crypto";
import type { Db } from "../prisma";
import { resolveAndCheck, type LookupAll } from "../net/address-guard";

export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}

export type WebhookTarget = { url: string; secret: string };

export type NetworkOptions = { allowPrivate: boolean; lookup?: LookupAll };

/** The address a webhook URL may be posted to (the network guard's check of its host), or why not. */
async function guardWebhookHost(
  url: URL,
  options: NetworkOptions,
): Promise<{ ok: true; address: string } | { ok: false; problem: string }> {
  const guard = await resolveAndCheck(url.hostname.replace(/^\[|\]$/g, ""), {
    allowPrivate: options.allowPrivate,
    lookup: options.lookup,
    lookupTimeoutMs: 5000,
  });
  if (guard.ok) return { ok: true, address: guard.address };
  return {
    ok: false,
    problem:
      guard.reason === "blocked"
        ? `${url.hostname} points to a private or internal address. For safety alerts are only sent to public addresses.`
        : guard.message,
  };
}

/** null when the URL may be used; otherwise why not, in words for the field. */
export async function webhookUrlProblem(url: string, options: NetworkOptions): Promise<string | null> {
  const guard = await guardWebhookHost(new URL(url), options);
  return guard.ok ? null : guard.problem;
}

/** Sets the webhook: returns the new secret, the only time it is shown. */
export async function setWebhook(
  { db, keyring }: { db: Db; keyring: Keyring },
  orgId: string,
  url: string,
  now = new Date(),
): Promise<string> {
  const secret = newWebhookSecret();
  await db.organisation.update({
    where: { id: orgId },
    data: {
      webhookUrlCiphertext: keyring.encrypt(url, webhookUrlAad(orgId)),
      webhookHost: new URL(url).host,
      webhookSecretCiphertext: keyring.encrypt(secret, webhookSecretAad(orgId)),
      webhookSetAt: now,
    },
  });
  return secret;
}

export async function removeWebhook(db: Db, orgId: string): Promise<void> {
  await db.organisation.update({
    where: { id: orgId },
    data: { webhookUrlCiphertext: null, webhookHost: null, webhookSecretCiphertext: null, webhookSetAt: null },
  });
}

export async function webhookTarget(db: Db, keyring: Keyring, orgId: string): Promise<WebhookTarget | null> {
  const org = await db.organisation.findUnique({
    where: { id: orgId },
    select: { webhookUrlCiphertext: true, webhookSecretCiphertext: true },
  });
  if (!org?.webhookUrlCiphertext || !org.webhookSecretCiphertext) return null;
  return {
    url: keyring.decrypt(org.webhookUrlCiphertext, webhookUrlAad(orgId)),
    secret: keyring.decrypt(org.webhookSecretCiphertext, webhookSecretAad(orgId)),
  };
}

export class WebhookDeliveryError extends Error {}

/**
 * POSTs the body to the URL, at the address the guard checked, within timeoutMs. Resolves on a 2xx answer; anything
 * else throws WebhookDeliveryError with a short reason (the status, or what went wrong), never the URL's secret parts.
 */
export async function postWebhook(
  url: string,
  request: { body: string; headers: Record<string, string> },
  options: NetworkOptions & { timeoutMs?: number },
): Promise<number> {
  const target = new URL(url);
  const guard = await guardWebhookHost(target, options);
  if (!guard.ok) throw new WebhookDeliveryError(guard.problem);
  const family = guard.address.includes(":") ? 6 : 4;
  return new Promise<number>((resolve, reject) => {
    const req = https.request(
      target,
      {
        method: "POST",
        headers: {
          ...request.headers,
          "Content-Length": Buffer.byteLength(request.body),
          "User-Agent": "FinanceEmailSetup-Alerts/1",
        },
        // The connection goes to the checked address; the certificate is still verified for the URL's host name.
        lookup: (_name, opts, callback) => {
          if ((opts as { all?: boolean }).all)
            (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
              { address: guard.address, family },
            ]);
          else (callback as (e: null, a: string, f: number) => void)(null, guard.address, family);
        },
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(status);
          else reject(new WebhookDeliveryError(`the webhook answered HTTP ${status}`));
        });
      },
    );
    req.on("timeout", () =>
      req.destroy(new WebhookDeliveryError(`no answer within ${Math.round((options.timeoutMs ?? 10_000) / 1000)} s`)),
    );
    req.on("error", (err) => reject(err instanceof WebhookDeliveryError ? err : new WebhookDeliveryError(err.message)));
    req.end(request.body);
  });
}
