// The OpenID Connect test provider (stand-ins/oidc-test-provider.ts), driven through openid-client 6 the way the
// app links a mailbox: discovery, authorization code + PKCE + state + nonce, refresh with rotation, revocation.
import * as client from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GOOGLE_MAIL_SCOPE,
  MICROSOFT_SMTP_SCOPE,
  startOidcTestProvider,
  type OidcTestProvider,
} from "../../stand-ins/oidc-test-provider";

const MICROSOFT_SCOPE = `${MICROSOFT_SMTP_SCOPE} offline_access openid email profile`;
const GOOGLE_SCOPE = `${GOOGLE_MAIL_SCOPE} openid email`;

const APP = {
  clientId: "finance-email-setup",
  clientSecret: "app-client-secret-0123456789",
  redirectUris: [
    "http://localhost:3000/api/oauth/microsoft/callback",
    "http://localhost:3000/api/oauth/google/callback",
  ],
  name: "Finance Email Setup",
};
const REDIRECT_URI = APP.redirectUris[0];
const GOOGLE_REDIRECT_URI = APP.redirectUris[1];
const FINANCE = {
  email: "finance@clinic.example",
  password: "correct horse battery staple",
  name: "Finance Team",
  preferredUsername: "finance@clinic.example",
};
const OTHER = { email: "other@clinic.example", password: "other-password", name: "Other Person" };
const MAIL_ATTRIBUTE = {
  email: "intern@clinic.example",
  password: "intern-password",
  emailClaim: "ceo@elsewhere.example",
  emailVerified: false,
};

let op: OidcTestProvider;
let config: client.Configuration;

beforeAll(async () => {
  op = await startOidcTestProvider({ clients: [APP], accounts: [FINANCE, OTHER, MAIL_ATTRIBUTE] });
  config = await client.discovery(new URL(op.issuer), APP.clientId, APP.clientSecret);
});

afterAll(async () => {
  await op?.close();
});

/** A consent request with a fresh PKCE challenge, for tests that stop at the provider's pages. */
async function consentRequestUrl(state: string) {
  return client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: MICROSOFT_SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: "S256",
    state,
    prompt: "consent",
  });
}

type SignIn = {
  scope?: string;
  redirectUri?: string;
  extra?: Record<string, string>;
  email?: string;
  password?: string;
};

/** The app's flow: PKCE + state + nonce, the provider's pages, then the code exchange. */
async function signIn(provider: OidcTestProvider, cfg: client.Configuration, options: SignIn = {}) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const redirectUri = options.redirectUri ?? REDIRECT_URI;
  const authorizationUrl = client.buildAuthorizationUrl(cfg, {
    redirect_uri: redirectUri,
    scope: options.scope ?? MICROSOFT_SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
    prompt: "consent",
    ...options.extra,
  });
  const callbackUrl = await provider.authorize({
    authorizationUrl,
    email: options.email ?? FINANCE.email,
    password: options.password ?? FINANCE.password,
  });
  expect(callbackUrl.startsWith(`${redirectUri}?`), callbackUrl).toBe(true);
  const tokens = await client.authorizationCodeGrant(cfg, new URL(callbackUrl), {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, callbackUrl };
}

async function refreshError(cfg: client.Configuration, refreshToken: string): Promise<unknown> {
  try {
    await client.refreshTokenGrant(cfg, refreshToken);
  } catch (err) {
    return err;
  }
  throw new Error("the refresh was accepted");
}

describe("OIDC test provider", () => {
  it("serves OpenID discovery over https with the test CA", () => {
    expect(process.env.NODE_EXTRA_CA_CERTS).toBeTruthy();
    expect(op.issuer).toMatch(/^https:\/\/localhost:\d+$/);
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(op.issuer);
    expect(metadata.token_endpoint).toBe(`${op.issuer}/token`);
    expect(metadata.revocation_endpoint).toBe(`${op.issuer}/token/revocation`);
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining([MICROSOFT_SMTP_SCOPE, GOOGLE_MAIL_SCOPE, "offline_access", "email", "profile"]),
    );
    expect(metadata.token_endpoint_auth_methods_supported).toContain("client_secret_post");
  });

  it("runs the code flow with PKCE, state and nonce: access, refresh and ID token with email and preferred_username", async () => {
    const { tokens, callbackUrl } = await signIn(op, config);
    expect(new URL(callbackUrl).searchParams.get("iss")).toBe(op.issuer);
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope?.split(" ")).toEqual(expect.arrayContaining([MICROSOFT_SMTP_SCOPE, "offline_access"]));
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: op.issuer,
      aud: APP.clientId,
      email: FINANCE.email,
      preferred_username: FINANCE.preferredUsername,
      name: FINANCE.name,
    });
  });

  it("requires PKCE: an authorization request without code_challenge is answered with an error, before any sign-in", async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: MICROSOFT_SCOPE,
      state: "s1",
      prompt: "consent",
    });
    const callbackUrl = new URL(
      await op.authorize({ authorizationUrl: url, email: FINANCE.email, password: FINANCE.password }),
    );
    expect(callbackUrl.searchParams.get("error")).toBe("invalid_request");
    expect(callbackUrl.searchParams.get("error_description")).toMatch(/PKCE/);
    expect(callbackUrl.searchParams.has("code")).toBe(false);
  });

  it("issues a refresh token for Microsoft's prompt=select_account and Google's access_type=offline", async () => {
    const microsoft = await signIn(op, config, { extra: { prompt: "select_account" } });
    expect(microsoft.tokens.refresh_token).toEqual(expect.any(String));

    const google = await signIn(op, config, {
      scope: GOOGLE_SCOPE,
      redirectUri: GOOGLE_REDIRECT_URI,
      extra: { access_type: "offline", prompt: "consent" },
    });
    expect(google.tokens.refresh_token).toEqual(expect.any(String));
    expect(google.tokens.claims()).toMatchObject({ email: FINANCE.email });
    expect(google.tokens.claims()?.preferred_username).toBeUndefined(); // no profile scope
    expect(await op.verifyAccessToken(google.tokens.access_token)).toMatchObject({ ok: true, email: FINANCE.email });
    const verified = await op.verifyAccessToken(google.tokens.access_token);
    expect(verified.ok && verified.scope.split(" ")).toContain(GOOGLE_MAIL_SCOPE);
  });

  it("verifyAccessToken accepts a live token (email + SMTP scope) and refuses garbage", async () => {
    const { tokens } = await signIn(op, config, { email: OTHER.email, password: OTHER.password });
    const verified = await op.verifyAccessToken(tokens.access_token);
    expect(verified).toMatchObject({ ok: true, email: OTHER.email, clientId: APP.clientId });
    expect(verified.ok && verified.scope.split(" ")).toContain(MICROSOFT_SMTP_SCOPE);
    expect(await op.verifyAccessToken("not-a-token")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/unknown/) as unknown,
    });
    expect(await op.verifyAccessToken("")).toMatchObject({ ok: false });
    expect(await op.verifyAccessToken(tokens.access_token + "x")).toMatchObject({ ok: false });
  });

  it("verifyAccessToken refuses an expired token", async () => {
    const shortLived = await startOidcTestProvider({ clients: [APP], accounts: [FINANCE], accessTokenTtlSeconds: 2 });
    try {
      const cfg = await client.discovery(new URL(shortLived.issuer), APP.clientId, APP.clientSecret);
      const { tokens } = await signIn(shortLived, cfg);
      expect(tokens.expires_in).toBeLessThanOrEqual(2);
      expect(await shortLived.verifyAccessToken(tokens.access_token)).toMatchObject({ ok: true, email: FINANCE.email });
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(await shortLived.verifyAccessToken(tokens.access_token)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/expired/) as unknown,
      });
      // the refresh token still works and gives a fresh access token
      const refreshed = await client.refreshTokenGrant(cfg, tokens.refresh_token!);
      expect(await shortLived.verifyAccessToken(refreshed.access_token)).toMatchObject({
        ok: true,
        email: FINANCE.email,
      });
    } finally {
      await shortLived.close();
    }
  });

  it("rotates refresh tokens: a used one is refused with invalid_grant (and, oidc-provider's rule, revokes the grant)", async () => {
    const { tokens } = await signIn(op, config);
    const first = tokens.refresh_token!;
    const second = await client.refreshTokenGrant(config, first);
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first);
    expect(second.claims()).toMatchObject({ email: FINANCE.email, preferred_username: FINANCE.preferredUsername });
    expect(await op.verifyAccessToken(second.access_token)).toMatchObject({ ok: true, email: FINANCE.email });

    const third = await client.refreshTokenGrant(config, second.refresh_token!); // the new one works
    expect(third.refresh_token).not.toBe(second.refresh_token);

    expect(await refreshError(config, first)).toMatchObject({ error: "invalid_grant" });
    // Reuse detection: the whole grant is gone now, including the newest tokens.
    expect(await refreshError(config, third.refresh_token!)).toMatchObject({ error: "invalid_grant" });
    expect(await op.verifyAccessToken(third.access_token)).toMatchObject({ ok: false });
  });

  it("with refreshTokenReuse 'reject', a used refresh token is refused and the new one keeps working", async () => {
    const lenient = await startOidcTestProvider({ clients: [APP], accounts: [FINANCE], refreshTokenReuse: "reject" });
    try {
      const cfg = await client.discovery(new URL(lenient.issuer), APP.clientId, APP.clientSecret);
      const { tokens } = await signIn(lenient, cfg);
      const second = await client.refreshTokenGrant(cfg, tokens.refresh_token!);
      expect(second.refresh_token).not.toBe(tokens.refresh_token);
      expect(await refreshError(cfg, tokens.refresh_token!)).toMatchObject({ error: "invalid_grant" });
      const third = await client.refreshTokenGrant(cfg, second.refresh_token!);
      expect(await lenient.verifyAccessToken(third.access_token)).toMatchObject({ ok: true, email: FINANCE.email });
    } finally {
      await lenient.close();
    }
  });

  it("revokeGrantsFor(email) makes refresh fail with invalid_grant and refuses the access tokens", async () => {
    const { tokens } = await signIn(op, config);
    const { tokens: otherTokens } = await signIn(op, config, { email: OTHER.email, password: OTHER.password });
    expect(await op.verifyAccessToken(tokens.access_token)).toMatchObject({ ok: true });

    expect(await op.revokeGrantsFor(FINANCE.email)).toBeGreaterThanOrEqual(1);

    expect(await refreshError(config, tokens.refresh_token!)).toMatchObject({ error: "invalid_grant" });
    expect(await op.verifyAccessToken(tokens.access_token)).toMatchObject({ ok: false });
    // the other account is untouched, and the same account can link again
    expect(await op.verifyAccessToken(otherTokens.access_token)).toMatchObject({ ok: true, email: OTHER.email });
    await client.refreshTokenGrant(config, otherTokens.refresh_token!);
    const again = await signIn(op, config);
    expect(await op.verifyAccessToken(again.tokens.access_token)).toMatchObject({ ok: true, email: FINANCE.email });
  });

  it("a wrong password shows the sign-in page again and does not complete the flow", async () => {
    const authorizationUrl = await consentRequestUrl(client.randomState());
    await expect(op.authorize({ authorizationUrl, email: FINANCE.email, password: "wrong" })).rejects.toThrow(
      /sign-in as finance@clinic\.example refused: Your account or password is incorrect\./,
    );
    await expect(
      op.authorize({ authorizationUrl, email: "nobody@clinic.example", password: FINANCE.password }),
    ).rejects.toThrow(/refused/);

    // the same by hand: the form post answers 200 with the page again, no redirect, no code
    const start = await fetch(authorizationUrl, { redirect: "manual" });
    const cookies = start.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const interaction = new URL(start.headers.get("location")!, op.issuer);
    const page = await fetch(interaction, { headers: { cookie: cookies } });
    expect(await page.text()).toContain('<label for="password">Password</label>');
    const post = await fetch(new URL(`${interaction.pathname}/login`, op.issuer), {
      method: "POST",
      body: new URLSearchParams({ email: FINANCE.email, password: "wrong" }),
      headers: { cookie: cookies },
      redirect: "manual",
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("location")).toBeNull();
    const html = await post.text();
    expect(html).toContain("Your account or password is incorrect.");
    expect(html).toContain(">Sign in</button>");
  });

  it("Cancel on the consent page sends the user back with error=access_denied", async () => {
    const authorizationUrl = await consentRequestUrl("cancel-state");
    const callbackUrl = new URL(
      await op.authorize({ authorizationUrl, email: FINANCE.email, password: FINANCE.password, consent: "cancel" }),
    );
    expect(callbackUrl.searchParams.get("error")).toBe("access_denied");
    expect(callbackUrl.searchParams.get("state")).toBe("cancel-state");
  });

  it("emailClaim and emailVerified set the email claims apart from the sign-in name (Entra ID's mail attribute)", async () => {
    const { tokens } = await signIn(op, config, MAIL_ATTRIBUTE);
    expect(tokens.claims()).toMatchObject({
      email: MAIL_ATTRIBUTE.emailClaim,
      email_verified: false,
      preferred_username: MAIL_ATTRIBUTE.email,
    });
  });

  it("signs ID tokens with its published key; forgeIdTokens(true) signs them with another, refused where signatures are checked", async () => {
    const checking = await client.discovery(new URL(op.issuer), APP.clientId, APP.clientSecret, undefined, {
      execute: [client.enableNonRepudiationChecks],
    });
    expect((await signIn(op, checking)).tokens.claims()).toMatchObject({ email: FINANCE.email });
    op.forgeIdTokens(true);
    try {
      // openid-client alone checks only the claims of an ID token from the token endpoint.
      expect((await signIn(op, config)).tokens.claims()).toMatchObject({ email: FINANCE.email });
      const err = await signIn(op, checking).catch((e: unknown) => e);
      expect(((err as Error).cause as Error).message).toBe("JWT signature verification failed");
    } finally {
      op.forgeIdTokens(false);
    }
    expect((await signIn(op, checking)).tokens.claims()).toMatchObject({ email: FINANCE.email });
  });

  it("the revocation endpoint revokes a refresh token", async () => {
    const { tokens } = await signIn(op, config);
    await client.tokenRevocation(config, tokens.refresh_token!);
    expect(await refreshError(config, tokens.refresh_token!)).toMatchObject({ error: "invalid_grant" });
    // revoking a refresh token revokes its grant, so the access token goes too
    expect(await op.verifyAccessToken(tokens.access_token)).toMatchObject({ ok: false });
  });
});
