// Linking a finance mailbox by signing in with its provider, and keeping that link working: the authorization code
// flow with PKCE, state and nonce (openid-client), the tokens stored encrypted, and the access token refreshed with
// every rotated refresh token saved before the new access token is used.
import "server-only";
import crypto from "node:crypto";
import * as oidc from "openid-client";
import type { Keyring } from "../secrets/crypto";
import type { Db } from "../prisma";
import { recordAudit } from "../audit";
import type { Actor } from "../actor";
import { mailboxTokenAad, oauthVerifierAad } from "../secrets/bindings";
import { UserFacingError } from "../errors";
import { nameLookup, resolveAndCheck, type LookupAll, type NameSources } from "../net/address-guard";
import { checkSoon, markNothingToSendWith } from "./status";
import {
  isOAuthProviderId,
  OAUTH_PROVIDERS,
  type OAuthClientConfig,
  type OAuthConfig,
  type OAuthProviderId,
} from "../smtp/sign-in-providers";

/** The cookie that binds a started sign-in to the admin's browser (httpOnly, SameSite=Lax, only for /api/oauth). */
export const OAUTH_STATE_COOKIE = "fes-oauth-state";
/** How long a started sign-in may take before its state is refused. */
export const OAUTH_REQUEST_TTL_MS = 10 * 60_000;
/** An access token is renewed this long before it expires, so a test never starts with one about to lapse. */
const ACCESS_TOKEN_MARGIN_MS = 2 * 60_000;
/** How long one instance may hold the refresh lease before another may take over. */
const REFRESH_LEASE_MS = 30_000;
/** How long an instance waits for another's refresh before giving up. */
const REFRESH_WAIT_MS = 15_000;

/** Who is linking: the signed-in owner or admin, in their organisation, under their current session version. */
type Linker = Pick<Actor, "orgId" | "userId" | "email" | "sessionVersion">;

/** What linking needs: the database, the keyring the tokens are encrypted with, and the providers' sign-in apps. */
export type LinkDeps = { db: Db; keyring: Keyring; oauth: OAuthConfig };

/**
 * Why a sign-in linked nothing. The callback hands the page a code, never words: a link anyone can send must not be
 * able to put its own text in the page's alert.
 */
export type ConnectErrorCode =
  | "state"
  | "declined"
  | "app-refused"
  | "provider-error"
  | "refused"
  | "no-mailbox"
  | "no-refresh"
  | "not-set-up"
  | "private-endpoint"
  | "unreachable"
  | "not-saved"
  | "failed";

export const PRIVATE_ENDPOINT_MESSAGE =
  "The mail provider's sign-in service names an endpoint on a private or internal address. For safety this service does not connect to it.";

const CONNECT_ERRORS: Record<ConnectErrorCode, (label: string) => string> = {
  state: () => "This sign-in link is not valid any more. Start again with the Connect button.",
  declined: (label) =>
    `The sign-in at ${label} was cancelled or its permissions were not accepted, so nothing was linked. Connect again and accept every permission asked for.`,
  "app-refused": (label) =>
    `${label} refused this app's sign-in request: its registration at ${label} does not allow it. Only the people who run this app can fix that.`,
  "provider-error": (label) => `${label}'s sign-in service had a problem and linked nothing. Try Connect again later.`,
  refused: (label) =>
    `${label} did not link the mailbox. Try Connect again; if it fails again, the people who run this app can read ${label}'s reason in the server's log.`,
  "no-mailbox": (label) => `${label} did not say which mailbox this is. Sign in with the finance mailbox itself.`,
  "no-refresh": (label) =>
    `${label} did not allow the app to keep sending. Connect again and accept every permission asked for.`,
  "not-set-up": (label) => `Sign-in with ${label} is not set up on this server.`,
  "private-endpoint": () => PRIVATE_ENDPOINT_MESSAGE,
  unreachable: (label) => `${label}'s sign-in service could not be reached. Try Connect again in a few minutes.`,
  "not-saved": () =>
    "The mailbox is connected, but the settings could not be switched to it. Check the settings below and save them.",
  failed: (label) => `${label} sign-in could not be completed. Try Connect again.`,
};

/** The words for a code from the callback; anything else gets the generic failure. */
export function connectErrorMessage(code: string, provider: string | undefined): string {
  if (!provider || !isOAuthProviderId(provider)) return "Signing in to the mailbox could not be completed. Try again.";
  const words = Object.hasOwn(CONNECT_ERRORS, code) ? CONNECT_ERRORS[code as ConnectErrorCode] : CONNECT_ERRORS.failed;
  return words(OAUTH_PROVIDERS[provider].label);
}

export class OAuthFlowError extends UserFacingError {
  constructor(
    message: string,
    readonly code: ConnectErrorCode = "failed",
  ) {
    super(message);
    this.name = "OAuthFlowError";
  }
}

const flowError = (code: ConnectErrorCode, provider: OAuthProviderId) =>
  new OAuthFlowError(connectErrorMessage(code, provider), code);

/** An OAuth error code (RFC 6749, OpenID Connect) from the provider, by whose side the fault is on. */
function connectErrorFor(oauthError: string): ConnectErrorCode {
  if (["access_denied", "consent_required", "interaction_required", "login_required"].includes(oauthError))
    return "declined";
  if (["invalid_client", "unauthorized_client", "invalid_scope", "unsupported_response_type"].includes(oauthError))
    return "app-refused";
  if (["server_error", "temporarily_unavailable"].includes(oauthError)) return "provider-error";
  // The code was used or has expired: the same as a stale sign-in link.
  if (oauthError === "invalid_grant") return "state";
  return "refused";
}

/** The provider's own reason, for the operator: in the log only (its text came through the browser). */
function logProviderRefusal(provider: OAuthProviderId, error: string, description: string | undefined) {
  console.warn(
    `[oauth] ${provider} did not link the mailbox: ${JSON.stringify(error)} ${JSON.stringify(description ?? "")}`,
  );
}

/** A refresh the provider refused, with its reason (e.g. invalid_grant, "AADSTS50173: ..."). */
export class OAuthRefreshError extends Error {
  constructor(
    readonly provider: OAuthProviderId,
    readonly code: string,
    readonly description: string,
  ) {
    super(
      `${OAUTH_PROVIDERS[provider].label} refused to renew the sign-in: ${code}${description ? ` (${description})` : ""}`,
    );
    this.name = "OAuthRefreshError";
  }
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("base64url");

/** The sign-in's redirect URI under the app's base URL (lib/request-origin.ts): the same at the start and at the callback. */
export function redirectUri(baseUrl: string, provider: OAuthProviderId): string {
  return `${baseUrl}/api/oauth/${provider}/callback`;
}

const discovered = new Map<string, Promise<oidc.Configuration>>();

/**
 * fetch for the provider's endpoints: the configured authority is trusted (the operator chose it); any other host
 * its discovery document names goes through the same address guard as an SMTP server, so a discovery document
 * cannot point the app at this host's own network.
 */
function guardedFetch(authority: URL, allowPrivate: boolean, lookup: LookupAll): oidc.CustomFetch {
  return async (url, options) => {
    const target = new URL(url);
    if (target.host !== authority.host) {
      const guard = await resolveAndCheck(target.hostname, { allowPrivate, lookup, lookupTimeoutMs: 5000 });
      if (!guard.ok)
        throw guard.reason === "blocked"
          ? new OAuthFlowError(PRIVATE_ENDPOINT_MESSAGE, "private-endpoint")
          : new OAuthFlowError(guard.message, "unreachable");
    }
    return fetch(url, options as RequestInit);
  };
}

/** openid-client wraps what a custom fetch throws ("something went wrong"); the guard's own message is the one to show. */
function guardRefusal(err: unknown): unknown {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof OAuthFlowError ? cause : err;
}

/**
 * The provider's OpenID configuration, discovered once per process (a failed discovery is retried next time). ID
 * tokens are checked against the issuer's published keys (its jwks_uri): openid-client checks only their claims
 * unless told to, trusting TLS for a token fetched from the token endpoint.
 */
export function providerConfiguration(
  client: OAuthClientConfig,
  allowPrivate = false,
  nameSources: NameSources = {},
): Promise<oidc.Configuration> {
  const key = `${client.authority}\n${client.clientId}\n${allowPrivate}\n${JSON.stringify(nameSources)}`;
  let pending = discovered.get(key);
  if (!pending) {
    const authority = new URL(client.authority);
    pending = oidc
      .discovery(authority, client.clientId, client.clientSecret, undefined, {
        timeout: 10,
        execute: [oidc.enableNonRepudiationChecks],
      })
      .then((configuration) => {
        configuration[oidc.customFetch] = guardedFetch(authority, allowPrivate, nameLookup(nameSources));
        return configuration;
      });
    pending.catch(() => discovered.delete(key));
    discovered.set(key, pending);
  }
  return pending;
}

function configurationFor(config: OAuthConfig, provider: OAuthProviderId): Promise<oidc.Configuration> {
  const client = config.clients[provider];
  if (!client) throw flowError("not-set-up", provider);
  return providerConfiguration(client, config.allowPrivateNetworks ?? false, config.nameSources);
}

/**
 * Starts a sign-in: records the request (hashed state, encrypted PKCE verifier, nonce, who started it) and returns
 * the provider's authorization URL and the state, which the caller also puts in a cookie in the admin's browser.
 */
export async function startMailboxLink(
  { db, keyring, oauth: config }: LinkDeps,
  input: { provider: OAuthProviderId; actor: Linker; redirectUri: string },
  now = new Date(),
): Promise<{ url: URL; state: string }> {
  const facts = OAUTH_PROVIDERS[input.provider];
  const configuration = await configurationFor(config, input.provider);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const stateHash = sha256(state);
  await db.oAuthRequest.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - OAUTH_REQUEST_TTL_MS) } } });
  await db.oAuthRequest.create({
    data: {
      stateHash,
      provider: input.provider,
      orgId: input.actor.orgId,
      userId: input.actor.userId,
      sessionVersion: input.actor.sessionVersion,
      codeVerifierCiphertext: keyring.encrypt(codeVerifier, oauthVerifierAad(stateHash)),
      nonce,
      createdAt: now,
    },
  });
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: input.redirectUri,
    scope: facts.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...facts.authorizationParams,
  });
  return { url, state };
}

/**
 * Finishes a sign-in at the callback. The state must be the one in this browser's cookie, recorded by the same
 * admin in the same organisation and session, unused and under 10 minutes old; it is used up before the code is
 * exchanged, so a replay finds it spent. The mailbox address comes from the ID token (mailboxAddress).
 */
export async function finishMailboxLink(
  { db, keyring, oauth: config }: LinkDeps,
  input: {
    provider: OAuthProviderId;
    actor: Linker;
    callbackUrl: URL;
    cookieState: string | undefined;
    redirectUri: string;
  },
  now = new Date(),
): Promise<{ email: string }> {
  const { provider } = input;
  const state = input.callbackUrl.searchParams.get("state");
  if (!state || !input.cookieState || state !== input.cookieState) throw flowError("state", provider);
  const stateHash = sha256(state);
  const request = await db.oAuthRequest.findUnique({ where: { stateHash } });
  const fresh = request && now.getTime() - request.createdAt.getTime() <= OAUTH_REQUEST_TTL_MS;
  const same =
    request &&
    request.provider === provider &&
    request.orgId === input.actor.orgId &&
    request.userId === input.actor.userId &&
    request.sessionVersion === input.actor.sessionVersion;
  if (!request || !fresh || !same || request.usedAt) throw flowError("state", provider);
  const spent = await db.oAuthRequest.updateMany({ where: { stateHash, usedAt: null }, data: { usedAt: now } });
  if (spent.count !== 1) throw flowError("state", provider);

  const providerError = input.callbackUrl.searchParams.get("error");
  if (providerError) {
    logProviderRefusal(provider, providerError, input.callbackUrl.searchParams.get("error_description") ?? undefined);
    throw flowError(connectErrorFor(providerError), provider);
  }

  const configuration = await configurationFor(config, provider);
  // openid-client checks the state again, and the ID token's signature (providerConfiguration), issuer, audience,
  // nonce and expiry. It sends the URL without its query as redirect_uri, so it must be the registered one, not what
  // a proxy forwarded.
  const callbackUrl = new URL(input.redirectUri);
  callbackUrl.search = input.callbackUrl.search;
  const tokens = await oidc
    .authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: keyring.decrypt(request.codeVerifierCiphertext, oauthVerifierAad(stateHash)),
      expectedState: state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    })
    .catch((err: unknown) => {
      if (err instanceof oidc.ResponseBodyError) {
        logProviderRefusal(provider, err.error, err.error_description);
        throw flowError(connectErrorFor(err.error), provider);
      }
      throw guardRefusal(err);
    });
  const claims = tokens.claims();
  const email = claims && mailboxAddress(provider, claims);
  if (!claims || !email) throw flowError("no-mailbox", provider);
  if (!tokens.refresh_token) throw flowError("no-refresh", provider);
  const tenantId = typeof claims.tid === "string" ? claims.tid : null;
  const orgId = input.actor.orgId;
  const data = {
    provider: input.provider,
    email,
    subject: claims.sub,
    tenantId,
    refreshTokenCiphertext: keyring.encrypt(tokens.refresh_token, mailboxTokenAad(orgId, "refresh")),
    accessTokenCiphertext: keyring.encrypt(tokens.access_token, mailboxTokenAad(orgId, "access")),
    accessTokenExpiresAt: expiresAt(tokens, now),
    refreshLeaseUntil: null,
    linkedAt: now,
    linkedByEmail: input.actor.email,
  };
  await db.mailboxLink.upsert({
    where: { orgId },
    create: { orgId, ...data },
    update: { ...data, tokenVersion: { increment: 1 } },
  });
  // A new sign-in (a Reconnect after a revoked one, above all) is checked on its own soon after.
  await checkSoon(db, orgId, now);
  await recordAudit(db, {
    orgId,
    actor: input.actor,
    action: "mailbox.linked",
    details: { provider: OAUTH_PROVIDERS[input.provider].label, email },
  });
  return { email };
}

/**
 * The mailbox the verified ID token names, by the provider's own claims (sign-in-providers.ts): for Microsoft the
 * sign-in name, since Entra ID's `email` claim is an attribute a tenant may set to any address and does not verify.
 * An `email` claim counts only when the provider vouches for it (email_verified).
 */
function mailboxAddress(provider: OAuthProviderId, claims: oidc.IDToken): string | null {
  for (const claim of OAUTH_PROVIDERS[provider].mailboxClaims) {
    if (claim === "email" && claims.email_verified !== true) continue;
    const value = claims[claim];
    const address = typeof value === "string" ? value.trim().toLowerCase() : "";
    if (/^[^@\s]+@[^@\s]+$/.test(address)) return address;
  }
  return null;
}

function expiresAt(tokens: { expires_in?: number }, now: Date): Date {
  // Without expires_in, assume the common hour and renew early.
  return new Date(now.getTime() + (tokens.expires_in ?? 3600) * 1000);
}

export type MailboxLinkSummary = {
  provider: OAuthProviderId;
  email: string;
  linkedAt: Date;
  linkedByEmail: string | null;
};

export async function getMailboxLink(db: Db, orgId: string): Promise<MailboxLinkSummary | null> {
  const link = await db.mailboxLink.findUnique({
    where: { orgId },
    select: { provider: true, email: true, linkedAt: true, linkedByEmail: true },
  });
  return link;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A live access token for the organisation's linked mailbox. When the stored one is about to expire, one instance
 * takes the refresh lease (a version-checked update, so two instances never refresh with the same refresh token,
 * which a rotating provider would treat as reuse), refreshes, and saves the rotated refresh token together with the
 * new access token before returning it; the others wait for that result.
 */
export async function mailboxAccessToken(
  deps: LinkDeps,
  orgId: string,
  now: () => Date = () => new Date(),
): Promise<{ email: string; accessToken: string; provider: OAuthProviderId }> {
  const { db, keyring } = deps;
  const waitUntil = now().getTime() + REFRESH_WAIT_MS;
  for (;;) {
    const link = await db.mailboxLink.findUnique({ where: { orgId } });
    if (!link) throw new OAuthFlowError("No mailbox is linked. Connect it first.");
    const { provider } = link;
    const at = now();
    if (
      link.accessTokenCiphertext &&
      link.accessTokenExpiresAt &&
      link.accessTokenExpiresAt.getTime() - ACCESS_TOKEN_MARGIN_MS > at.getTime()
    ) {
      return {
        email: link.email,
        provider,
        accessToken: keyring.decrypt(link.accessTokenCiphertext, mailboxTokenAad(orgId, "access")),
      };
    }
    const leased = link.refreshLeaseUntil && link.refreshLeaseUntil > at;
    if (!leased) {
      const claim = await db.mailboxLink.updateMany({
        where: { orgId, tokenVersion: link.tokenVersion },
        data: { tokenVersion: link.tokenVersion + 1, refreshLeaseUntil: new Date(at.getTime() + REFRESH_LEASE_MS) },
      });
      if (claim.count === 1) return refreshHeldLink(deps, { ...link, tokenVersion: link.tokenVersion + 1 }, now);
    }
    if (at.getTime() > waitUntil)
      throw new Error("Another server is still renewing the mailbox sign-in. Try again in a moment.");
    await sleep(200);
  }
}

async function refreshHeldLink(
  { db, keyring, oauth: config }: LinkDeps,
  link: {
    orgId: string;
    provider: OAuthProviderId;
    email: string;
    tokenVersion: number;
    refreshTokenCiphertext: string;
  },
  now: () => Date,
) {
  const { provider } = link;
  const orgId = link.orgId;
  let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    const configuration = await configurationFor(config, provider);
    tokens = await oidc.refreshTokenGrant(
      configuration,
      keyring.decrypt(link.refreshTokenCiphertext, mailboxTokenAad(orgId, "refresh")),
    );
  } catch (err) {
    await db.mailboxLink.updateMany({
      where: { orgId, tokenVersion: link.tokenVersion },
      data: { refreshLeaseUntil: null },
    });
    if (err instanceof oidc.ResponseBodyError)
      throw new OAuthRefreshError(provider, err.error, err.error_description ?? "");
    throw guardRefusal(err);
  }
  const at = now();
  // Saved before the access token is handed out: a rotated refresh token that is not stored is a link that dies.
  await db.mailboxLink.updateMany({
    where: { orgId, tokenVersion: link.tokenVersion },
    data: {
      tokenVersion: link.tokenVersion + 1,
      refreshLeaseUntil: null,
      ...(tokens.refresh_token
        ? { refreshTokenCiphertext: keyring.encrypt(tokens.refresh_token, mailboxTokenAad(orgId, "refresh")) }
        : {}),
      accessTokenCiphertext: keyring.encrypt(tokens.access_token, mailboxTokenAad(orgId, "access")),
      accessTokenExpiresAt: expiresAt(tokens, at),
    },
  });
  return { email: link.email, provider, accessToken: tokens.access_token };
}

/**
 * Unlinks the mailbox: tells the provider to revoke the refresh token where it publishes a way to (best effort: the
 * link is removed here whatever it answers), deletes the tokens and records who did it. Microsoft publishes no
 * revocation endpoint: there the grant lives on until it is removed in the account's own settings.
 */
export async function disconnectMailbox(
  { db, keyring, oauth: config }: LinkDeps,
  actor: Linker,
): Promise<{ provider: OAuthProviderId; revoked: boolean } | null> {
  const link = await db.mailboxLink.findUnique({ where: { orgId: actor.orgId } });
  if (!link) return null;
  const { provider } = link;
  let revoked = false;
  if (config.clients[provider]) {
    try {
      const configuration = await configurationFor(config, provider);
      if (configuration.serverMetadata().revocation_endpoint) {
        await oidc.tokenRevocation(
          configuration,
          keyring.decrypt(link.refreshTokenCiphertext, mailboxTokenAad(actor.orgId, "refresh")),
          {
            token_type_hint: "refresh_token",
          },
        );
        revoked = true;
      }
    } catch (err) {
      console.warn(`[oauth] revoking the ${provider} token failed: ${(err as Error).name}`);
    }
  }
  await db.mailboxLink.deleteMany({ where: { orgId: actor.orgId } });
  await markNothingToSendWith(db, actor.orgId, link.email);
  await recordAudit(db, {
    orgId: actor.orgId,
    actor,
    action: "mailbox.disconnected",
    details: { provider: OAUTH_PROVIDERS[provider].label, email: link.email },
  });
  return { provider, revoked };
}
