// The organisation's alert webhook: an HTTPS URL on a public address and an allowed port (443 unless the operator
// says otherwise), checked when it is set and again at every delivery, and posted to at the address that was checked
// (a second DNS answer cannot send it into this host's network). A delivery has one deadline and reads a capped
// answer, and the person sees only whether the endpoint accepted it: connection and TLS errors stay in the server
// log, so the button cannot be used to probe a network. Its signing secret is made here and shown once; the secret
// and the URL (Slack's and Teams' URLs carry a token) are stored only encrypted, and a browser is only ever shown
// the URL's host.
import "server-only";
import crypto from "node:crypto";
import https from "node:https";
import { webhookSecretAad, webhookUrlAad } from "../secrets/bindings";
import type { Keyring } from "../secrets/crypto";
import type { Db } from "../prisma";
import { resolveAndCheck, type LookupAll } from "../net/address-guard";
import { describePorts, isPortAllowed, type PortRule } from "../net/ports";

/** From connecting to the end of the answer: a slow or trickling endpoint cannot hold a delivery longer. */
export const WEBHOOK_DEADLINE_MS = 10_000;
/** The most of an answer that is read; the status is all that counts. */
export const WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024;

export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}

export type WebhookTarget = { url: string; secret: string };

/** Where webhooks may go (WEBHOOK_ALLOW_PRIVATE_NETWORKS, WEBHOOK_ALLOWED_PORTS); lookup and deadline for tests. */
export type NetworkOptions = {
  allowPrivate: boolean;
  allowedPorts: PortRule;
  lookup?: LookupAll;
  deadlineMs?: number;
};

/** The address a webhook URL may be posted to (its port allowed, its host past the network guard), or why not. */
async function guardWebhookHost(
  url: URL,
  options: NetworkOptions,
): Promise<{ ok: true; address: string } | { ok: false; problem: string }> {
  const port = Number(url.port || 443);
  if (!isPortAllowed(options.allowedPorts, port)) {
    return {
      ok: false,
      problem: `Use an address on port ${describePorts(options.allowedPorts)}: webhooks may not use other ports here.`,
    };
  }
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

/** A delivery that did not go through: `message` is for the person, `detail` for the server log only. */
export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
    this.name = "WebhookDeliveryError";
  }
}

/**
 * POSTs the JSON body to the URL, at the address the guard checked, within one deadline. Resolves with the status of
 * a 2xx answer; anything else throws WebhookDeliveryError saying only whether the endpoint was reached and what it
 * answered (never the URL's secret parts, nor why a connection failed).
 */
export async function postWebhook(
  url: string,
  request: { body: string; headers: Record<string, string> },
  options: NetworkOptions,
): Promise<number> {
  const target = new URL(url);
  const guard = await guardWebhookHost(target, options);
  if (!guard.ok) throw new WebhookDeliveryError(guard.problem);
  const family = guard.address.includes(":") ? 6 : 4;
  const deadlineMs = options.deadlineMs ?? WEBHOOK_DEADLINE_MS;
  return new Promise<number>((resolve, reject) => {
    let status: number | null = null;
    let settled = false;
    // Ends the exchange: at the answer's end, at the size cap or at the deadline, whichever comes first.
    const finish = () => {
      clearTimeout(timer);
      req.destroy();
      if (settled) return;
      settled = true;
      if (status === null)
        reject(
          new WebhookDeliveryError(
            `the endpoint did not answer within ${Math.round(deadlineMs / 1000)} s`,
            `no answer from ${target.host} within ${deadlineMs} ms`,
          ),
        );
      else if (status >= 200 && status < 300) resolve(status);
      else reject(new WebhookDeliveryError(`the endpoint did not accept the alert: HTTP ${status}`));
    };
    const timer = setTimeout(finish, deadlineMs);
    const req = https.request(
      target,
      {
        method: "POST",
        headers: {
          ...request.headers,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(request.body),
          "User-Agent": "FinanceEmailSetup-Alerts/1",
        },
        // A connection of its own each time, made to the address just checked (never a pooled one).
        agent: false,
        // The connection goes to the checked address; the certificate is still verified for the URL's host name.
        lookup: (_name, opts, callback) => {
          if ((opts as { all?: boolean }).all)
            (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
              { address: guard.address, family },
            ]);
          else (callback as (e: null, a: string, f: number) => void)(null, guard.address, family);
        },
      },
      (res) => {
        status = res.statusCode ?? 0;
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > WEBHOOK_MAX_RESPONSE_BYTES) finish();
        });
        res.on("end", finish);
        res.on("error", finish);
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        new WebhookDeliveryError(
          "could not connect to the endpoint",
          `${target.host}: ${err.code ?? err.name} ${err.message}`,
        ),
      );
    });
    req.end(request.body);
  });
}
