// Stand-in for Microsoft's and Google's sign-in servers: a real OpenID Connect provider on 127.0.0.1.
//
// A real OpenID Connect provider (oidc-provider 9) for the test suite: a stand-in for Microsoft's identity platform and
// Google's OAuth server, served over HTTPS on 127.0.0.1 with the test CA's localhost certificate.
//
//   const op = await startOidcTestProvider({
//     clients: [{ clientId: "app", clientSecret: "secret", redirectUris: ["http://localhost:3000/api/oauth/microsoft/callback"] }],
//     accounts: [{ email: "finance@clinic.example", password: "pw", name: "Finance" }],
//   });
//   const config = await client.discovery(new URL(op.issuer), "app", "secret");   // openid-client 6
//   const callbackUrl = await op.authorize({ authorizationUrl, email, password }); // or drive the pages with Playwright
//   ...
//   await op.verifyAccessToken(accessToken);   // what the SMTP test server calls for AUTH XOAUTH2
//   await op.revokeGrantsFor("finance@clinic.example");   // "the user changed their password / withdrew consent"
//   op.forgeIdTokens(true);   // ID tokens signed by a key not in this issuer's JWKS, until turned off again
//   await op.close();
//
// TLS: the certificate is stand-ins/test-ca.ts's server.pem (SAN localhost + 127.0.0.1). vitest workers trust the
// test CA through NODE_EXTRA_CA_CERTS (tests/helpers/vitest-global-setup.ts), so fetch / openid-client work unchanged.
// The issuer is https://localhost:<port> (the name in the certificate).
//
// Pages (plain server-rendered forms, no JavaScript): GET /interaction/:uid shows either the sign-in page (inputs
// "Email" and "Password", button "Sign in"; a wrong password shows it again with "Your account or password is
// incorrect.") or the consent page (the requested scopes, buttons "Accept" and "Cancel"; Cancel sends the browser back to
// the client with error=access_denied). They post to /interaction/:uid/login and /interaction/:uid/confirm.
//
// Access tokens are opaque random strings (as they are to Microsoft's and Google's clients) kept in this provider's
// in-memory store. verifyAccessToken looks the token up with the provider's own AccessToken.find: it is refused when it
// was never issued, is expired (exp, from accessTokenTtlSeconds), or was deleted — token revocation, revokeGrantsFor and
// refresh-token reuse detection all delete a grant's tokens from the store. (JWT access tokens could not be revoked.)
//
// Dialects. oidc-provider keeps offline_access (and so issues a refresh token) only when the authorization request has
// prompt=consent. Microsoft issues one for offline_access with any prompt (the app sends prompt=select_account) and
// Google for access_type=offline. So, before oidc-provider sees a GET /auth request: access_type=offline adds
// offline_access to the scope, and a scope with offline_access gets "consent" added to prompt (unless prompt=none).
// Consequence: every such sign-in shows the consent page. prompt=select_account is accepted and shows the sign-in page.
//
// Refresh tokens rotate on every use. Presenting an already-used refresh token is refused with invalid_grant and, by
// default (oidc-provider's own rule, refreshTokenReuse "revoke-grant"), also revokes the whole grant: the newest refresh
// token and the access tokens stop working too. Neither Microsoft nor Google do that; pass refreshTokenReuse "reject"
// to only refuse the used token.
//
// Types: oidc-provider ships no type declarations (and @types/oidc-provider is not installed), so its import carries a
// ts-expect-error and the minimal interfaces in this file describe the parts used here.
import { generateKeyPair, randomBytes, createHash, sign } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
// @ts-expect-error -- untyped package, see above
import ProviderModule, { interactionPolicy as interactionPolicyModule } from "oidc-provider";
import { ensureTestCa } from "./test-ca";

export interface OidcTestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Shown on the consent page. */
  name?: string;
  /** Default client_secret_post (openid-client's default). */
  tokenEndpointAuthMethod?: "client_secret_post" | "client_secret_basic";
}

export interface OidcTestAccount {
  email: string;
  password: string;
  name?: string;
  /** Default: the email. */
  preferredUsername?: string;
  /** The subject identifier (sub). Default: derived from the email. */
  sub?: string;
  /**
   * The `email` claim, when it is not the sign-in name: Entra ID fills it from the user's mail attribute, which a
   * tenant may set to any address and does not verify. Default: the email.
   */
  emailClaim?: string;
  /** The email_verified claim (Google's vouching for `email`). Default true. */
  emailVerified?: boolean;
}

export interface OidcTestProviderOptions {
  clients: OidcTestClient[];
  accounts: OidcTestAccount[];
  /** Access token lifetime, default 3600. */
  accessTokenTtlSeconds?: number;
  /** Refresh token (and grant) lifetime, default 14 days. */
  refreshTokenTtlSeconds?: number;
  /** What presenting an already-used (rotated) refresh token does besides invalid_grant. Default "revoke-grant". */
  refreshTokenReuse?: "revoke-grant" | "reject";
  /** More non-OpenID scopes to accept (the Microsoft SMTP and Google mail scopes are always accepted). */
  extraScopes?: string[];
  /** Log every oidc-provider *.error event (expected ones such as invalid_grant included). server_error is always logged. */
  verbose?: boolean;
}

export type AccessTokenVerification =
  { ok: true; email: string; scope: string; clientId: string; expiresAt: number } | { ok: false; reason: string };

export interface AuthorizeOptions {
  /** From client.buildAuthorizationUrl(). */
  authorizationUrl: string | URL;
  email: string;
  password: string;
  /** The button to press on the consent page; default "accept". */
  consent?: "accept" | "cancel";
}

export interface OidcTestProvider {
  /** https://localhost:<port> */
  issuer: string;
  port: number;
  clients: readonly OidcTestClient[];
  accounts: readonly OidcTestAccount[];
  /**
   * Follows the authorization request like a browser without JavaScript (fetch, cookies kept by hand, redirects followed
   * one at a time): signs in, answers the consent page, and returns the URL the provider redirects to on the client's
   * side (…/callback?code=…&state=…&iss=…, or ?error=… ) without fetching it. Throws if the sign-in is refused or a page
   * is not what a sign-in expects.
   */
  authorize(options: AuthorizeOptions): Promise<string>;
  /** For the SMTP test server's AUTH XOAUTH2: is this a live access token, and for whom. */
  verifyAccessToken(token: string): Promise<AccessTokenVerification>;
  /** Deletes every grant of the account (with their access and refresh tokens) and its sign-in sessions. Returns the number of grants. */
  revokeGrantsFor(email: string): Promise<number>;
  /**
   * While on, every ID token the token endpoint issues is signed with a key that is not this provider's (under its
   * key id): its claims are all right, only its signature is not the issuer's, as a token made by anyone else would be.
   */
  forgeIdTokens(on: boolean): void;
  /** The oidc-provider instance, for anything not covered here. */
  provider: unknown;
  close(): Promise<void>;
}

// ---- the parts of oidc-provider used here ----------------------------------------------------------------------

type Payload = Record<string, unknown>;

interface Adapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}

interface InteractionDetails {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  /** oidc-provider refuses a repeated parameter, so the ones read here are single strings. */
  params: { client_id?: string; login_hint?: string; scope?: string } & Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
  lastSubmission?: Record<string, unknown>;
}

interface AccessTokenInstance {
  accountId?: string;
  clientId?: string;
  grantId?: string;
  scope?: string;
  exp: number;
  readonly isExpired: boolean;
}

interface KoaContext {
  path: string;
  method: string;
  query: Record<string, string | string[] | undefined>;
}

interface ProviderInstance {
  issuer: string;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
    adapter: Adapter;
  };
  Client: { find(id: string): Promise<{ clientName?: string; clientId: string } | undefined> };
  AccessToken: {
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<AccessTokenInstance | undefined>;
    revokeByGrantId(grantId: string): Promise<void>;
  };
  RefreshToken: { revokeByGrantId(grantId: string): Promise<void> };
  AuthorizationCode: { revokeByGrantId(grantId: string): Promise<void> };
  Session: { adapter: Adapter };
}

interface PromptInstance {
  name: string;
}

interface InteractionPolicyModule {
  Prompt: new (options: { name: string; requestable: boolean }) => PromptInstance;
  base(): PromptInstance[] & { add(prompt: PromptInstance, index?: number): void };
}

const Provider = ProviderModule as new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
const interactionPolicy = interactionPolicyModule as InteractionPolicyModule;

// ---- constants ----------------------------------------------------------------------------------------------------

export const MICROSOFT_SMTP_SCOPE = "https://outlook.office.com/SMTP.Send";
export const GOOGLE_MAIL_SCOPE = "https://mail.google.com/";

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: "Sign you in",
  email: "View your email address",
  profile: "View your basic profile",
  offline_access: "Maintain access to data you have given it access to",
  [MICROSOFT_SMTP_SCOPE]: "Send email as you using SMTP AUTH",
  [GOOGLE_MAIL_SCOPE]: "Read, compose, send and permanently delete all your email from Gmail",
};

const DAY = 24 * 60 * 60;

// ---- an in-memory adapter that can be searched (for revokeGrantsFor) ---------------------------------------------

type Entry = { payload: Payload; expiresAt: number | undefined };

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Like oidc-provider's default memory adapter, but private to one provider and searchable. Expired entries are kept for
 * a while (the models check `exp` themselves), so verifyAccessToken can say "expired" rather than "unknown".
 */
function createStore(refreshTokenReuse: "revoke-grant" | "reject") {
  const entries = new Map<string, Entry>();
  const KEEP_EXPIRED_MS = 10 * 60_000;

  function purge(): void {
    const now = Date.now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt + KEEP_EXPIRED_MS < now) entries.delete(key);
    }
  }

  function where(model: string, predicate: (payload: Payload) => boolean): string[] {
    const ids: string[] = [];
    for (const [key, entry] of entries) {
      const [kind, ...rest] = key.split(":");
      if (kind === model && predicate(entry.payload)) ids.push(rest.join(":"));
    }
    return ids;
  }

  function adapterFor(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    const findWhere = (predicate: (payload: Payload) => boolean) => {
      const [id] = where(model, predicate);
      return id === undefined ? undefined : structuredClone(entries.get(key(id))!.payload);
    };
    return {
      upsert(id, payload, expiresIn) {
        purge();
        entries.set(key(id), {
          payload: structuredClone(payload),
          expiresAt: typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : undefined,
        });
        return Promise.resolve();
      },
      find(id) {
        const entry = entries.get(key(id));
        return Promise.resolve(entry ? structuredClone(entry.payload) : undefined);
      },
      findByUid(uid) {
        return Promise.resolve(findWhere((payload) => payload.uid === uid));
      },
      findByUserCode(userCode) {
        return Promise.resolve(findWhere((payload) => payload.userCode === userCode));
      },
      consume(id) {
        // A rotated refresh token is "consumed". oidc-provider answers a consumed one with invalid_grant and revokes the
        // grant; deleting it instead makes the reuse a plain "refresh token not found" invalid_grant.
        if (model === "RefreshToken" && refreshTokenReuse === "reject") {
          entries.delete(key(id));
          return Promise.resolve();
        }
        const entry = entries.get(key(id));
        if (entry) entry.payload.consumed = epochSeconds();
        return Promise.resolve();
      },
      destroy(id) {
        entries.delete(key(id));
        return Promise.resolve();
      },
      revokeByGrantId(grantId) {
        for (const id of where(model, (payload) => payload.grantId === grantId)) entries.delete(key(id));
        return Promise.resolve();
      },
    };
  }

  return { adapterFor, where };
}

// ---- HTML ---------------------------------------------------------------------------------------------------------

function escapeHtml(value: string | undefined): string {
  return (value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function layout(title: string, page: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Test identity provider</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.4rem 0}input{width:100%;padding:.4rem}button{padding:.4rem 1.2rem}.error{color:#a00}</style>
</head>
<body data-page="${page}">
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage(uid: string, clientName: string, email: string, error: string | undefined): string {
  return layout(
    "Sign in",
    "login",
    `<h1>Sign in</h1>
<p>to continue to ${escapeHtml(clientName)}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(email)}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

function consentPage(uid: string, clientName: string, email: string, scopes: string[]): string {
  const items = scopes
    .map(
      (scope) =>
        `<li><code>${escapeHtml(scope)}</code>${SCOPE_DESCRIPTIONS[scope] ? ` – ${escapeHtml(SCOPE_DESCRIPTIONS[scope])}` : ""}</li>`,
    )
    .join("\n");
  return layout(
    "Permissions requested",
    "consent",
    `<h1>Permissions requested</h1>
<p>Signed in as ${escapeHtml(email)}</p>
<p>${escapeHtml(clientName)} would like to:</p>
<ul id="scopes">
${items}
</ul>
<form method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>`,
  );
}

function errorPage(message: string): string {
  return layout("Error", "error", `<h1>Something went wrong</h1>\n<p role="alert">${escapeHtml(message)}</p>`);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error("form body too large");
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

// ---- cookies for authorize() ----------------------------------------------------------------------------------------

function storeCookies(jar: Map<string, string>, setCookies: string[]): void {
  for (const line of setCookies) {
    const [pair, ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq < 1) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key, val = ""] = attribute.split("=").map((part) => part.trim());
      if (/^max-age$/i.test(key)) return Number(val) <= 0;
      if (/^expires$/i.test(key)) return Date.parse(val) <= Date.now();
      return false;
    });
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 500);
}

// ---- the provider ---------------------------------------------------------------------------------------------------

export async function startOidcTestProvider(options: OidcTestProviderOptions): Promise<OidcTestProvider> {
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 3600;
  const refreshTokenTtl = options.refreshTokenTtlSeconds ?? 14 * DAY;
  const clients = options.clients.map((c) => ({ ...c, redirectUris: [...c.redirectUris] }));
  const accounts = options.accounts.map((a) => ({ ...a }));

  const accountIdOf = (account: OidcTestAccount) =>
    account.sub ?? createHash("sha256").update(account.email.toLowerCase()).digest("base64url").slice(0, 24);
  const byEmail = (email: string) => accounts.find((a) => a.email.toLowerCase() === email.trim().toLowerCase());
  const byId = (accountId: string | undefined) => accounts.find((a) => accountIdOf(a) === accountId);

  const { serverCert, serverKey } = ensureTestCa();
  const server = https.createServer({ cert: fs.readFileSync(serverCert), key: fs.readFileSync(serverKey) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://localhost:${port}`;

  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: "jwk" }),
    kid: randomBytes(8).toString("hex"),
    use: "sig",
    alg: "RS256",
  };

  const store = createStore(options.refreshTokenReuse ?? "revoke-grant");
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: "select_account", requestable: true }), 0);

  const provider = new Provider(issuer, {
    adapter: (model: string) => store.adapterFor(model),
    jwks: { keys: [signingKey] },
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      client_name: c.name ?? c.clientId,
      redirect_uris: c.redirectUris,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? "client_secret_post",
    })),
    scopes: ["openid", "offline_access", MICROSOFT_SMTP_SCOPE, GOOGLE_MAIL_SCOPE, ...(options.extraScopes ?? [])],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    // Put the scope's claims in the ID token itself (as Microsoft and Google do), not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    findAccount(_ctx: unknown, sub: string) {
      const account = byId(sub);
      if (!account) return Promise.resolve(undefined);
      return Promise.resolve({
        accountId: sub,
        claims: () =>
          Promise.resolve({
            sub,
            email: account.emailClaim ?? account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name ?? account.email,
            preferred_username: account.preferredUsername ?? account.email,
          }),
      });
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      // A client may revoke only its own tokens (the library's default rule, without its "you should change this" notice).
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, c: { clientId: string }, token: { clientId?: string }) =>
          Promise.resolve(token.clientId === c.clientId),
      },
    },
    interactions: {
      policy,
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: refreshTokenTtl,
      Grant: refreshTokenTtl,
      Session: 14 * DAY,
      Interaction: 3600,
    },
  });

  provider.on("server_error", (_ctx: unknown, err: unknown) => {
    console.error("[oidc-test-provider] server_error:", err);
  });
  if (options.verbose) {
    for (const event of [
      "authorization.error",
      "grant.error",
      "revocation.error",
      "userinfo.error",
      "introspection.error",
      "discovery.error",
      "jwks.error",
      "end_session.error",
      "backchannel.error",
    ]) {
      provider.on(event, (_ctx: unknown, err: unknown) => console.warn(`[oidc-test-provider] ${event}:`, err));
    }
  }

  // forgeIdTokens: the token endpoint's answer, re-signed on its way out.
  let forging = false;
  const { privateKey: foreignKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  provider.use(async (ctx, next) => {
    await next();
    const body = (ctx as unknown as { body?: { id_token?: unknown } }).body;
    if (!forging || ctx.method !== "POST" || ctx.path !== "/token" || typeof body?.id_token !== "string") return;
    const [header, payload] = body.id_token.split(".");
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), foreignKey).toString("base64url");
    body.id_token = `${header}.${payload}.${signature}`;
  });

  // Microsoft / Google dialects (see the top of this file).
  provider.use(async (ctx, next) => {
    if (ctx.method === "GET" && ctx.path === "/auth" && typeof ctx.query.scope === "string") {
      const query = { ...ctx.query };
      const scopes = String(query.scope).split(" ");
      if (query.access_type === "offline" && !scopes.includes("offline_access")) scopes.push("offline_access");
      const promptParam = query.prompt; // an array when repeated: left for oidc-provider to refuse
      if (scopes.includes("offline_access") && (promptParam === undefined || typeof promptParam === "string")) {
        const prompts = (promptParam ?? "").split(" ").filter(Boolean);
        if (!prompts.includes("consent") && !prompts.includes("none")) query.prompt = [...prompts, "consent"].join(" ");
      }
      query.scope = scopes.join(" ");
      ctx.query = query;
    }
    await next();
  });

  async function handleInteraction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    action: string | undefined,
  ): Promise<void> {
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      if ((err as Error).name === "SessionNotFound") {
        sendHtml(
          res,
          400,
          errorPage(
            `This sign-in request has expired or its cookie is missing (${(err as Error).message}). Start again from the application.`,
          ),
        );
        return;
      }
      throw err;
    }
    if (details.uid !== uid) {
      sendHtml(res, 400, errorPage("This page belongs to another sign-in request. Start again from the application."));
      return;
    }
    const clientId = details.params.client_id ?? "";
    const clientName = (await provider.Client.find(clientId))?.clientName ?? clientId;
    const promptName = details.prompt.name;
    const isLoginPrompt = promptName === "login" || promptName === "select_account";

    if (req.method === "GET" && action === undefined) {
      if (isLoginPrompt) {
        sendHtml(res, 200, loginPage(uid, clientName, details.params.login_hint ?? "", undefined));
      } else if (promptName === "consent") {
        const email = byId(details.session?.accountId)?.email ?? "";
        const scopes = (details.params.scope ?? "").split(" ").filter(Boolean);
        sendHtml(res, 200, consentPage(uid, clientName, email, scopes));
      } else {
        sendHtml(res, 500, errorPage(`unexpected prompt ${promptName}`));
      }
      return;
    }

    if (req.method === "POST" && action === "login" && isLoginPrompt) {
      const form = await readForm(req);
      const email = form.get("email") ?? "";
      const account = byEmail(email);
      if (!account || account.password !== (form.get("password") ?? "")) {
        sendHtml(res, 200, loginPage(uid, clientName, email, "Your account or password is incorrect."));
        return;
      }
      const result: Record<string, unknown> = { login: { accountId: accountIdOf(account) } };
      if (promptName === "select_account") result.select_account = {};
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }

    if (req.method === "POST" && action === "confirm" && promptName === "consent") {
      const form = await readForm(req);
      if (form.get("decision") !== "accept") {
        await provider.interactionFinished(
          req,
          res,
          { error: "access_denied", error_description: "The user declined to consent." },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error("consent without a signed-in account");
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant) throw new Error(`grant ${details.grantId} not found`);
      const promptDetails = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(" "));
      if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(" "));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: details.grantId ? {} : { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }

    sendHtml(res, 400, errorPage(`${req.method} ${req.url} does not fit the current step (${promptName}).`));
  }

  const providerCallback = provider.callback();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? "/", issuer);
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm))?$/.exec(pathname);
    if (!match) {
      providerCallback(req, res);
      return;
    }
    handleInteraction(req, res, match[1], match[2]).catch((err: unknown) => {
      console.error("[oidc-test-provider] interaction error:", err);
      if (!res.headersSent) sendHtml(res, 500, errorPage(String((err as Error)?.message ?? err)));
      else res.end();
    });
  });

  async function authorize({
    authorizationUrl,
    email,
    password,
    consent = "accept",
  }: AuthorizeOptions): Promise<string> {
    const jar = new Map<string, string>();
    const redirectTargets = clients
      .flatMap((c) => c.redirectUris.map((uri) => new URL(uri)))
      .map((u) => u.origin + u.pathname);
    let url = new URL(authorizationUrl);
    let body: URLSearchParams | undefined;
    let signedIn = false;
    let consented = false;
    for (let step = 0; step < 20; step++) {
      if (url.origin !== issuer || redirectTargets.includes(url.origin + url.pathname)) return url.href;
      const res = await fetch(url, {
        method: body ? "POST" : "GET",
        body,
        redirect: "manual",
        headers: jar.size ? { cookie: cookieHeader(jar) } : {},
      });
      storeCookies(jar, res.headers.getSetCookie());
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        const location = res.headers.get("location");
        if (!location) throw new Error(`OIDC test provider: ${res.status} without Location at ${url.pathname}`);
        url = new URL(location, url);
        body = undefined;
        continue;
      }
      const html = await res.text();
      const page = /<body data-page="([a-z]+)"/.exec(html)?.[1];
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
      if (res.status === 200 && page === "login" && action) {
        if (signedIn) {
          const error = /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
          throw new Error(`OIDC test provider: sign-in as ${email} refused: ${error ?? textOf(html)}`);
        }
        signedIn = true;
        url = new URL(action, url);
        body = new URLSearchParams({ email, password });
        continue;
      }
      if (res.status === 200 && page === "consent" && action && !consented) {
        consented = true;
        url = new URL(action, url);
        body = new URLSearchParams({ decision: consent });
        continue;
      }
      throw new Error(`OIDC test provider: unexpected ${res.status} page at ${url.pathname}: ${textOf(html)}`);
    }
    throw new Error("OIDC test provider: too many steps");
  }

  async function verifyAccessToken(token: string): Promise<AccessTokenVerification> {
    if (typeof token !== "string" || token === "") return { ok: false, reason: "no access token" };
    const at = await provider.AccessToken.find(token, { ignoreExpiration: true });
    if (!at) return { ok: false, reason: "unknown access token (never issued, or revoked)" };
    if (at.isExpired) return { ok: false, reason: `access token expired at ${new Date(at.exp * 1000).toISOString()}` };
    if (!at.grantId || !(await provider.Grant.find(at.grantId)))
      return { ok: false, reason: "the access token's grant was revoked" };
    const account = byId(at.accountId);
    if (!account) return { ok: false, reason: "the access token's account no longer exists" };
    return { ok: true, email: account.email, scope: at.scope ?? "", clientId: at.clientId ?? "", expiresAt: at.exp };
  }

  async function revokeGrantsFor(email: string): Promise<number> {
    const account = byEmail(email);
    if (!account) return 0;
    const accountId = accountIdOf(account);
    const grantIds = store.where("Grant", (payload) => payload.accountId === accountId);
    for (const grantId of grantIds) {
      await Promise.all([
        provider.AccessToken.revokeByGrantId(grantId),
        provider.RefreshToken.revokeByGrantId(grantId),
        provider.AuthorizationCode.revokeByGrantId(grantId),
        provider.Grant.adapter.destroy(grantId),
      ]);
    }
    for (const sessionId of store.where("Session", (payload) => payload.accountId === accountId)) {
      await provider.Session.adapter.destroy(sessionId);
    }
    return grantIds.length;
  }

  async function close(): Promise<void> {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return {
    issuer,
    port,
    clients,
    accounts,
    authorize,
    verifyAccessToken,
    revokeGrantsFor,
    forgeIdTokens: (on) => {
      forging = on;
    },
    provider,
    close,
  };
}
