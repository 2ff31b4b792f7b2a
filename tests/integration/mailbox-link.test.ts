// Linking a finance mailbox by signing in, against a real OpenID Connect provider (oidc-provider over
// HTTPS, found through discovery as Microsoft's would be) and a real SMTP server that takes XOAUTH2 only with a live
// access token from it. On SQLite, and on PostgreSQL with TEST_DATABASE=postgresql.
import type { Actor } from "@/lib/actor";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as jose from "jose";
import * as oidc from "openid-client";
import { createKeyring } from "@/lib/secrets/crypto";
import type { OAuthConfig } from "@/lib/smtp/sign-in-providers";
import {
  disconnectMailbox,
  finishMailboxLink,
  mailboxAccessToken,
  OAuthFlowError,
  OAuthRefreshError,
  PRIVATE_ENDPOINT_MESSAGE,
  startMailboxLink,
} from "@/lib/mailbox/link";
import { runSmtpTest } from "@/lib/mailbox/transports/smtp";
import { saveSettingsForLinkedMailbox } from "@/lib/mailbox/settings";
import { testSettings } from "@/lib/mailbox/test-run";
import { parseMailPorts } from "@/lib/smtp/mail-ports";
import { countNotUnder, rotateStoredSecrets } from "@/lib/secrets/stored-secrets";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../helpers/database";
import { createOrg, person } from "../helpers/factories";
import { startOidcTestProvider, type OidcTestProvider } from "../../stand-ins/oidc-test-provider";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { ensureTestCa } from "../../stand-ins/test-ca";

const REDIRECT = "https://finance-email.example/api/oauth/microsoft/callback";
const MAILBOX = { email: "finance@contoso.example", password: "contoso sign-in 1" };
const GMAIL = { email: "clinic.accounts@gmail.com", password: "gmail sign-in 1" };
// Entra ID's `email` claim comes from the user's mail attribute, which a tenant may set to any address, unverified.
const SPOOFED = { email: "intern@contoso.example", password: "contoso sign-in 3", emailClaim: "ceo@fabrikam.example" };
const UNVERIFIED = { email: "unverified@gmail.com", password: "gmail sign-in 2", emailVerified: false };
const KEY = crypto.randomBytes(32);
const keyring = createKeyring([KEY]);

let t: TestDatabase;
let idp: OidcTestProvider;
let smtp: TestSmtpServer;
let config: OAuthConfig;
let actor: Pick<Actor, "orgId" | "userId" | "email" | "sessionVersion">;

beforeAll(async () => {
  t = await createTestDatabase("mailbox-link");
  idp = await startOidcTestProvider({
    clients: [{ clientId: "finance-email-app", clientSecret: "app-secret-for-tests", redirectUris: [REDIRECT] }],
    accounts: [
      MAILBOX,
      GMAIL,
      SPOOFED,
      UNVERIFIED,
      { email: "disabled@contoso.example", password: "contoso sign-in 2" },
    ],
    accessTokenTtlSeconds: 3600,
  });
  smtp = await startTestSmtpServer({
    verifyAccessToken: (token) => idp.verifyAccessToken(token),
    smtpAuthDisabledFor: ["disabled@contoso.example"],
  });
  config = {
    appUrl: "https://finance-email.example",
    clients: {
      microsoft: { clientId: "finance-email-app", clientSecret: "app-secret-for-tests", authority: idp.issuer },
    },
  };
  const org = await createOrg(t.db, "Contoso Clinic");
  const user = await person(t.db, org.id, { email: "admin@contoso.example", name: "Ada Admin", role: "ADMIN" });
  actor = { orgId: org.id, userId: user.id, email: user.email, sessionVersion: 0 };
});
afterAll(async () => {
  await smtp?.close();
  await idp?.close();
  await t?.drop();
});
beforeEach(async () => {
  await t.db.emailSettings.deleteMany();
  await t.db.smtpTestRun.deleteMany();
  await t.db.mailboxLink.deleteMany();
  await t.db.oAuthRequest.deleteMany();
});

/** Starts a sign-in, signs in and consents at the provider, and returns the callback URL and the cookie's state. */
async function signInAtProvider(account = MAILBOX, who = actor) {
  const { url, state } = await startMailboxLink(
    { db: t.db, keyring, oauth: config },
    { provider: "microsoft", actor: who, redirectUri: REDIRECT },
  );
  const callback = await idp.authorize({ authorizationUrl: url, email: account.email, password: account.password });
  return { callbackUrl: new URL(callback), state };
}

const finish = (callbackUrl: URL, cookieState: string | undefined, who = actor, now?: Date) =>
  finishMailboxLink(
    { db: t.db, keyring, oauth: config },
    { provider: "microsoft", actor: who, callbackUrl, cookieState, redirectUri: REDIRECT },
    now,
  );

async function link(account = MAILBOX) {
  const { callbackUrl, state } = await signInAtProvider(account);
  return finish(callbackUrl, state);
}

const storedRefreshToken = async () => {
  const row = await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: actor.orgId } });
  return keyring.decrypt(row.refreshTokenCiphertext, `mailbox-link:${actor.orgId}:refresh`);
};

describe("linking", () => {
  it("the authorization code flow with PKCE links the mailbox named in the ID token; the tokens are stored only encrypted", async () => {
    const { callbackUrl, state } = await signInAtProvider();
    const authorize = new URL(callbackUrl);
    expect(authorize.searchParams.get("code")).toBeTruthy();
    expect(await finish(callbackUrl, state)).toEqual({ email: MAILBOX.email });

    const row = await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: actor.orgId } });
    expect(row).toMatchObject({ provider: "microsoft", email: MAILBOX.email, linkedByEmail: actor.email });
    const refreshToken = await storedRefreshToken();
    const { accessToken } = await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId);
    expect(await idp.verifyAccessToken(accessToken)).toMatchObject({ ok: true, email: MAILBOX.email });
    const stored = (await t.storedBytes()).toString("latin1");
    expect(stored).not.toContain(refreshToken);
    expect(stored).not.toContain(accessToken);
    expect(await t.db.auditEvent.findFirst({ where: { orgId: actor.orgId, action: "mailbox.linked" } })).toMatchObject({
      details: { provider: "Microsoft", email: MAILBOX.email },
    });
  });

  it("refuses a state that is missing, not this browser's, forged, replayed, expired, or from another admin or session", async () => {
    const refused = async (promise: Promise<unknown>) => {
      const err = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OAuthFlowError);
      expect(err).toMatchObject({
        code: "state",
        message: "This sign-in link is not valid any more. Start again with the Connect button.",
      });
    };
    const a = await signInAtProvider();
    await refused(finish(a.callbackUrl, undefined)); // no cookie: started in another browser
    await refused(finish(a.callbackUrl, "another-browsers-state"));
    const forged = new URL(a.callbackUrl);
    forged.searchParams.set("state", "forged-state");
    await refused(finish(forged, "forged-state"));
    await refused(finish(a.callbackUrl, a.state, { ...actor, userId: "another-admin" }));
    await refused(finish(a.callbackUrl, a.state, { ...actor, sessionVersion: 1 }));
    await refused(finish(a.callbackUrl, a.state, { ...actor, orgId: "another-org" }));
    // None of those used it up: the rightful admin can still finish, once.
    expect(await finish(a.callbackUrl, a.state)).toEqual({ email: MAILBOX.email });
    await refused(finish(a.callbackUrl, a.state));

    const late = await signInAtProvider();
    await refused(finish(late.callbackUrl, late.state, actor, new Date(Date.now() + 10 * 60_000 + 1000)));
  });

  it("the provider's own refusal (consent cancelled) is reported, and nothing is linked", async () => {
    await link(); // an earlier link stays as it was
    const { url, state } = await startMailboxLink(
      { db: t.db, keyring, oauth: config },
      { provider: "microsoft", actor, redirectUri: REDIRECT },
    );
    const callback = new URL(await idp.authorize({ authorizationUrl: url, ...MAILBOX, consent: "cancel" }));
    const err = await finish(callback, state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthFlowError);
    expect(err).toMatchObject({
      code: "declined",
      message: expect.stringMatching(/^The sign-in at Microsoft was cancelled/) as unknown,
    });
    expect(await t.db.mailboxLink.count()).toBe(1);
  });

  it("an ID token not signed with the issuer's published keys links nothing, however right its claims", async () => {
    const { callbackUrl, state } = await signInAtProvider();
    idp.forgeIdTokens(true);
    try {
      const err = await finish(callbackUrl, state).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(((err as Error).cause as Error).message).toBe("JWT signature verification failed");
    } finally {
      idp.forgeIdTokens(false);
    }
    expect(await t.db.mailboxLink.count()).toBe(0);
    // The same flow with the issuer's own signature links.
    expect(await link()).toEqual({ email: MAILBOX.email });
  });

  it("Microsoft: the mailbox is the verified sign-in name, not the `email` claim a tenant can set to anything", async () => {
    expect(await link(SPOOFED)).toEqual({ email: SPOOFED.email });
    expect(await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: actor.orgId } })).toMatchObject({
      email: SPOOFED.email,
    });
  });
});

describe("tokens", () => {
  const later = (minutes: number) => () => new Date(Date.now() + minutes * 60_000);

  it("a refresh saves the rotated refresh token before using the access token; the old one is refused and the link keeps working", async () => {
    await link();
    const first = await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId);
    // Still fresh: the same token, no refresh.
    expect((await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId)).accessToken).toBe(
      first.accessToken,
    );
    const oldRefresh = await storedRefreshToken();

    const renewed = await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId, later(59));
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(await idp.verifyAccessToken(renewed.accessToken)).toMatchObject({ ok: true, email: MAILBOX.email });
    const newRefresh = await storedRefreshToken();
    expect(newRefresh).not.toBe(oldRefresh);

    // The provider rotated it: the old refresh token no longer works (checked with a token only this test holds,
    // since presenting the used one again revokes the whole grant at this provider).
    const configuration = await oidc.discovery(new URL(idp.issuer), "finance-email-app", "app-secret-for-tests");
    const err = await oidc.refreshTokenGrant(configuration, oldRefresh).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oidc.ResponseBodyError);
    expect((err as oidc.ResponseBodyError).error).toBe("invalid_grant");
  });

  /** Asks for the access token in `count` separate processes started at the same moment (each its own instance). */
  async function tokensFromProcesses(count: number, offsetMinutes: number): Promise<string[]> {
    const script = path.resolve(import.meta.dirname, "../helpers/refresh-mailbox-token.ts");
    const input = JSON.stringify({
      databaseUrl: t.url,
      key: KEY.toString("base64"),
      config,
      orgId: actor.orgId,
      offsetMinutes,
    });
    const children = Array.from({ length: count }, () =>
      spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script], {
        env: { ...process.env, NODE_OPTIONS: "", MAILBOX_REFRESH: input },
      }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          let out = "";
          let err = "";
          child.stdout.on("data", (d) => (out += d));
          child.stderr.on("data", (d) => (err += d));
          child.on("close", (code) => resolve({ code, out, err }));
        }),
    );
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            const onData = (d: Buffer) => {
              if (String(d).includes("ready")) {
                child.stdout.off("data", onData);
                resolve();
              }
            };
            child.stdout.on("data", onData);
          }),
      ),
    );
    for (const child of children) child.stdin.end("go\n");
    const runs = await Promise.all(outputs);
    for (const run of runs) expect(run, run.err).toMatchObject({ code: 0 });
    return runs.map((run) => (JSON.parse(run.out.trim().split("\n").at(-1)!) as { accessToken: string }).accessToken);
  }

  // PostgreSQL is the database for several instances; SQLite is the one-instance embedded default, where the same
  // race is between concurrent requests of that one instance.
  it(`${TEST_PROVIDER === "postgresql" ? "three app processes" : "concurrent requests of the one instance"} refreshing at once make one refresh and keep the newest token`, async () => {
    await link();
    const tokens =
      TEST_PROVIDER === "postgresql"
        ? await tokensFromProcesses(3, 59)
        : (
            await Promise.all(
              [0, 1, 2].map(() => mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId, later(59))),
            )
          ).map((r) => r.accessToken);
    expect(new Set(tokens).size).toBe(1);
    expect(await idp.verifyAccessToken(tokens[0])).toMatchObject({ ok: true });
    // The stored refresh token is the newest: one more refresh with it works. (Had two instances refreshed with
    // the same token, this provider, like any that detects reuse, would have revoked the whole grant.)
    const again = await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId, later(59 * 2));
    expect(again.accessToken).not.toBe(tokens[0]);
    expect(await idp.verifyAccessToken(again.accessToken)).toMatchObject({ ok: true });
  });

  it("while another instance holds the refresh lease, an instance waits for its result instead of refreshing", async () => {
    await link();
    const row = await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: actor.orgId } });
    const refreshBefore = await storedRefreshToken();
    // Another instance has taken the lease (as its claim would) and is still talking to the provider.
    await t.db.mailboxLink.update({
      where: { orgId: actor.orgId },
      data: { tokenVersion: row.tokenVersion + 1, refreshLeaseUntil: new Date(Date.now() + 59 * 60_000 + 30_000) },
    });
    const waiting = mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId, later(59));
    await new Promise((r) => setTimeout(r, 500));
    // The other instance finishes: its new access token (valid for another hour) is saved, the lease released.
    await t.db.mailboxLink.update({
      where: { orgId: actor.orgId },
      data: {
        tokenVersion: row.tokenVersion + 2,
        refreshLeaseUntil: null,
        accessTokenCiphertext: keyring.encrypt("token-from-the-other-instance", `mailbox-link:${actor.orgId}:access`),
        accessTokenExpiresAt: new Date(Date.now() + 120 * 60_000),
      },
    });
    expect((await waiting).accessToken).toBe("token-from-the-other-instance");
    expect(await storedRefreshToken()).toBe(refreshBefore);
  });

  it("a sign-in revoked at the provider (password change, consent withdrawn) fails the refresh with the provider's reason", async () => {
    await link();
    expect(await idp.revokeGrantsFor(MAILBOX.email)).toBeGreaterThan(0);
    const err = await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId, later(59)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OAuthRefreshError);
    expect((err as OAuthRefreshError).code).toBe("invalid_grant");
    // The link is still there, for "Reconnect"; the lease is released so the next try asks the provider again.
    const row = await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: actor.orgId } });
    expect(row.refreshLeaseUntil).toBeNull();
  });

  it("Disconnect revokes the refresh token at the provider, deletes the tokens and records it", async () => {
    await link();
    const refreshToken = await storedRefreshToken();
    expect(await disconnectMailbox({ db: t.db, keyring, oauth: config }, actor)).toEqual({
      provider: "microsoft",
      revoked: true,
    });
    expect(await t.db.mailboxLink.count()).toBe(0);
    const configuration = await oidc.discovery(new URL(idp.issuer), "finance-email-app", "app-secret-for-tests");
    const err = await oidc.refreshTokenGrant(configuration, refreshToken).catch((e: unknown) => e);
    expect((err as oidc.ResponseBodyError).error).toBe("invalid_grant");
    expect(await t.db.auditEvent.count({ where: { orgId: actor.orgId, action: "mailbox.disconnected" } })).toBe(1);
    expect(await disconnectMailbox({ db: t.db, keyring, oauth: config }, actor)).toBeNull();
  });
});

describe("Google", () => {
  const googleConfig = (): OAuthConfig => ({
    appUrl: "https://finance-email.example",
    clients: {
      google: { clientId: "finance-email-app", clientSecret: "app-secret-for-tests", authority: idp.issuer },
    },
  });

  it("links a Google mailbox with Google's scope and offline access, and saves it with the Gmail preset", async () => {
    const google = googleConfig();
    const { url, state } = await startMailboxLink(
      { db: t.db, keyring, oauth: google },
      { provider: "google", actor, redirectUri: REDIRECT },
    );
    expect(url.searchParams.get("scope")).toBe("https://mail.google.com/ openid email");
    expect(url.searchParams.get("access_type")).toBe("offline");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const callbackUrl = new URL(await idp.authorize({ authorizationUrl: url, ...GMAIL }));
    expect(
      await finishMailboxLink(
        { db: t.db, keyring, oauth: google },
        { provider: "google", actor, callbackUrl, cookieState: state, redirectUri: REDIRECT },
      ),
    ).toEqual({
      email: GMAIL.email,
    });
    const who = { userId: actor.userId, email: actor.email, name: "Ada Admin", orgId: actor.orgId };
    await saveSettingsForLinkedMailbox({ db: t.db, keyring }, who, { provider: "google", email: GMAIL.email });
    expect(await t.db.emailSettings.findUniqueOrThrow({ where: { orgId: actor.orgId } })).toMatchObject({
      provider: "google-mail",
      host: "smtp.gmail.com",
      username: GMAIL.email,
    });
    const { accessToken, provider } = await mailboxAccessToken({ db: t.db, keyring, oauth: google }, actor.orgId);
    expect(provider).toBe("google");
    expect(await idp.verifyAccessToken(accessToken)).toMatchObject({
      ok: true,
      email: GMAIL.email,
      scope: expect.stringContaining("https://mail.google.com/") as unknown,
    });
  });

  it("an email address Google does not vouch for (email_verified false) names no mailbox", async () => {
    const google = googleConfig();
    const { url, state } = await startMailboxLink(
      { db: t.db, keyring, oauth: google },
      { provider: "google", actor, redirectUri: REDIRECT },
    );
    const callbackUrl = new URL(await idp.authorize({ authorizationUrl: url, ...UNVERIFIED }));
    const err = await finishMailboxLink(
      { db: t.db, keyring, oauth: google },
      { provider: "google", actor, callbackUrl, cookieState: state, redirectUri: REDIRECT },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthFlowError);
    expect(err).toMatchObject({ code: "no-mailbox" });
    expect(await t.db.mailboxLink.count()).toBe(0);
  });
});

describe("a test of the saved settings when the sign-in has ended", () => {
  it("fails at Authentication with the provider's reason and Reconnect, and the status becomes Failing", async () => {
    await link();
    const who = { userId: actor.userId, email: actor.email, name: "Ada Admin", orgId: actor.orgId };
    const { version } = await saveSettingsForLinkedMailbox({ db: t.db, keyring }, who, {
      provider: "microsoft",
      email: MAILBOX.email,
    });
    const saved = await t.db.emailSettings.findUniqueOrThrow({ where: { orgId: actor.orgId } });
    expect(saved).toMatchObject({
      provider: "microsoft-365",
      host: "smtp.office365.com",
      username: MAILBOX.email,
      fromAddress: MAILBOX.email,
      passwordCiphertext: null,
    });
    // The stored access token has run out and the mailbox's password changed at Microsoft.
    await t.db.mailboxLink.update({
      where: { orgId: actor.orgId },
      data: { accessTokenExpiresAt: new Date(Date.now() - 1000) },
    });
    await idp.revokeGrantsFor(MAILBOX.email);

    const outcome = await testSettings(
      {
        db: t.db,
        keyring,
        budgetMs: 5000,
        allowPrivate: true,
        allowedPorts: parseMailPorts("25,465,587,2525")!,
        oauth: config,
      },
      {
        org: { id: actor.orgId, name: "Contoso Clinic" },
        user: { id: actor.userId, name: "Ada Admin", email: actor.email },
      },
      {
        provider: "microsoft-365",
        host: "smtp.office365.com",
        port: 587,
        security: "starttls",
        user: MAILBOX.email,
        password: undefined,
        fromName: "",
        fromAddress: MAILBOX.email,
        replyTo: undefined,
        version,
      },
      { mode: "check", to: actor.email },
    );
    expect(outcome).toMatchObject({ ok: false, failedStep: "auth", matchesSaved: true });
    expect(outcome.diagnosis).toMatchObject({
      id: "mailbox-sign-in-expired",
      advice: [expect.stringContaining("Reconnect")],
    });
    expect(outcome.diagnosis?.explanation).toContain("Microsoft said: invalid_grant");
    expect(await t.db.emailSettings.findUniqueOrThrow({ where: { orgId: actor.orgId } })).toMatchObject({
      status: "FAILING",
      lastTestError: "The Microsoft sign-in for this mailbox has expired or was revoked",
    });
  });
});

describe("Microsoft's multi-tenant authority (login.microsoftonline.com/common)", () => {
  // Microsoft's common endpoint publishes the issuer "https://login.microsoftonline.com/{tenantid}/v2.0"; each ID
  // token names the user's own tenant. openid-client engages its Entra ID handling only for that exact origin, so
  // the origin is kept and this test's fetch carries its requests to a local stand-in that signs the ID tokens.
  it("accepts an ID token from the signing-in user's own tenant and refuses one whose issuer names another tenant", async () => {
    const ca = ensureTestCa();
    const { privateKey, publicKey } = await jose.generateKeyPair("RS256");
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
    const TENANT = "11111111-2222-3333-4444-555555555555";
    let issuerForToken = "";
    const respond = async (req: IncomingMessage, res: ServerResponse) => {
      res.setHeader("content-type", "application/json");
      const base = "https://login.microsoftonline.com";
      if (req.url === "/common/v2.0/.well-known/openid-configuration") {
        res.end(
          JSON.stringify({
            issuer: `${base}/{tenantid}/v2.0`,
            authorization_endpoint: `${base}/common/oauth2/v2.0/authorize`,
            token_endpoint: `${base}/common/oauth2/v2.0/token`,
            jwks_uri: `${base}/common/discovery/v2.0/keys`,
            response_types_supported: ["code"],
            id_token_signing_alg_values_supported: ["RS256"],
          }),
        );
      } else if (req.url === "/common/discovery/v2.0/keys") {
        res.end(JSON.stringify({ keys: [jwk] }));
      } else if (req.url === "/common/oauth2/v2.0/token") {
        const request = await t.db.oAuthRequest.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
        const idToken = await new jose.SignJWT({
          tid: TENANT,
          nonce: request.nonce,
          preferred_username: "finance@contoso.example",
        })
          .setProtectedHeader({ alg: "RS256", kid: "test-key" })
          .setIssuer(issuerForToken)
          .setAudience("entra-app-id")
          .setSubject("mailbox-subject")
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(privateKey);
        res.end(
          JSON.stringify({
            access_token: "at",
            refresh_token: "rt",
            id_token: idToken,
            token_type: "Bearer",
            expires_in: 3600,
          }),
        );
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    };
    // A failure in respond() is an unhandled rejection, which vitest reports as an error of this run.
    const server = https.createServer(
      { cert: fs.readFileSync(ca.serverCert), key: fs.readFileSync(ca.serverKey) },
      (req, res) => void respond(req, res),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const local = `https://localhost:${(server.address() as AddressInfo).port}`;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      return realFetch(
        url.origin === "https://login.microsoftonline.com" ? `${local}${url.pathname}${url.search}` : input,
        init,
      );
    };
    const entra: OAuthConfig = {
      appUrl: "https://finance-email.example",
      clients: {
        microsoft: {
          clientId: "entra-app-id",
          clientSecret: "secret",
          authority: "https://login.microsoftonline.com/common/v2.0",
        },
      },
    };
    const attempt = async () => {
      const { state } = await startMailboxLink(
        { db: t.db, keyring, oauth: entra },
        { provider: "microsoft", actor, redirectUri: REDIRECT },
      );
      const callbackUrl = new URL(`${REDIRECT}?code=a-code&state=${state}`);
      return finishMailboxLink(
        { db: t.db, keyring, oauth: entra },
        { provider: "microsoft", actor, callbackUrl, cookieState: state, redirectUri: REDIRECT },
      );
    };
    try {
      issuerForToken = `https://login.microsoftonline.com/${TENANT}/v2.0`;
      expect(await attempt()).toEqual({ email: "finance@contoso.example" });
      expect(await t.db.mailboxLink.findUniqueOrThrow({ where: { orgId: actor.orgId } })).toMatchObject({
        tenantId: TENANT,
      });

      await t.db.mailboxLink.deleteMany();
      issuerForToken = "https://login.microsoftonline.com/99999999-8888-7777-6666-555555555555/v2.0";
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe("unexpected JWT claim value encountered");
      expect(((err as Error).cause as Error).message).toBe('unexpected JWT "iss" (issuer) claim value');
      expect(await t.db.mailboxLink.count()).toBe(0);
    } finally {
      globalThis.fetch = realFetch;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("the network guard on the provider's endpoints", () => {
  /** An issuer at https://localhost:<port> whose discovery document puts the token endpoint on 127.0.0.1 (loopback). */
  async function issuerWithPrivateTokenEndpoint() {
    const ca = ensureTestCa();
    let tokenRequests = 0;
    const server = https.createServer(
      { cert: fs.readFileSync(ca.serverCert), key: fs.readFileSync(ca.serverKey) },
      (req, res) => {
        const port = (server.address() as AddressInfo).port;
        if (req.url === "/.well-known/openid-configuration") {
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({
              issuer: `https://localhost:${port}`,
              authorization_endpoint: `https://localhost:${port}/auth`,
              token_endpoint: `https://127.0.0.1:${port}/token`,
              jwks_uri: `https://localhost:${port}/jwks`,
              response_types_supported: ["code"],
              code_challenge_methods_supported: ["S256"],
            }),
          );
          return;
        }
        if (req.url === "/token") tokenRequests++;
        res.statusCode = 400;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ error: "invalid_grant" }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const issuer = `https://localhost:${(server.address() as AddressInfo).port}`;
    return {
      issuer,
      tokenRequests: () => tokenRequests,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it("an endpoint on another host that is a private address is never contacted (unless private networks are allowed)", async () => {
    const fake = await issuerWithPrivateTokenEndpoint();
    try {
      for (const allowPrivateNetworks of [false, true]) {
        const guarded: OAuthConfig = {
          ...config,
          allowPrivateNetworks,
          clients: { microsoft: { clientId: "c", clientSecret: "s", authority: fake.issuer } },
        };
        const { state } = await startMailboxLink(
          { db: t.db, keyring, oauth: guarded },
          { provider: "microsoft", actor, redirectUri: REDIRECT },
        );
        const callbackUrl = new URL(`${REDIRECT}?code=some-code&state=${state}&iss=${encodeURIComponent(fake.issuer)}`);
        const err = await finishMailboxLink(
          { db: t.db, keyring, oauth: guarded },
          { provider: "microsoft", actor, callbackUrl, cookieState: state, redirectUri: REDIRECT },
        ).catch((e: unknown) => e);
        if (!allowPrivateNetworks) {
          expect(err).toBeInstanceOf(OAuthFlowError);
          expect((err as Error).message).toBe(PRIVATE_ENDPOINT_MESSAGE);
          expect((err as Error).message).not.toContain("127.0.0.1");
          expect(fake.tokenRequests()).toBe(0);
        } else {
          // Allowed: the request goes out (and this fake refuses the code, as spent).
          expect(err).toMatchObject({ code: "state" });
          expect(fake.tokenRequests()).toBe(1);
        }
      }
    } finally {
      await fake.close();
    }
  });
});

describe("key rotation", () => {
  it("keys:rotate's pass re-encrypts the mailbox's tokens under the new key, and the link keeps working with it", async () => {
    await link();
    const newKey = crypto.randomBytes(32);
    const rotating = createKeyring([newKey, KEY]);
    expect(await countNotUnder(t.db, rotating.currentKeyId)).toBe(2);
    expect(await rotateStoredSecrets(t.db, rotating)).toEqual({ rotated: 2, total: 2 });
    expect(await countNotUnder(t.db, rotating.currentKeyId)).toBe(0);
    const newOnly = createKeyring([newKey]);
    const { accessToken } = await mailboxAccessToken({ db: t.db, keyring: newOnly, oauth: config }, actor.orgId);
    expect(await idp.verifyAccessToken(accessToken)).toMatchObject({ ok: true });
    // And a refresh with the re-encrypted refresh token.
    expect(
      (
        await mailboxAccessToken(
          { db: t.db, keyring: newOnly, oauth: config },
          actor.orgId,
          () => new Date(Date.now() + 59 * 60_000),
        )
      ).accessToken,
    ).not.toBe(accessToken);
  });
});

describe("sending over XOAUTH2", () => {
  const send = (accessToken: string, user = MAILBOX.email) =>
    runSmtpTest({
      mode: "send",
      host: "localhost",
      port: smtp.starttlsPort,
      security: "starttls",
      user,
      password: "",
      accessToken,
      provider: "microsoft-365",
      envelopeFrom: user,
      to: "accounts@contoso.example",
      message: () =>
        Promise.resolve(
          Buffer.from(`From: ${user}\r\nTo: accounts@contoso.example\r\nSubject: XOAUTH2 test\r\n\r\nHello.\r\n`),
        ),
      budgetMs: 10_000,
      allowPrivate: true,
    });

  it("a test email goes out with the linked mailbox's access token, and no password", async () => {
    await link();
    const { accessToken } = await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId);
    const result = await send(accessToken);
    expect(result.ok).toBe(true);
    expect(result.steps.find((s) => s.id === "auth")).toMatchObject({
      status: "ok",
      detail: expect.stringContaining("XOAUTH2") as unknown,
    });
    expect(smtp.sessions.at(-1)?.commands).toContain("AUTH XOAUTH2");
    expect(JSON.stringify(result)).not.toContain(accessToken);
  });

  it("a revoked token gets Microsoft's 535 5.7.3, and a mailbox with SMTP AUTH off gets 535 5.7.139", async () => {
    await link();
    const { accessToken } = await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId);
    await idp.revokeGrantsFor(MAILBOX.email);
    const revoked = await send(accessToken);
    expect(revoked).toMatchObject({ ok: false, failedStep: "auth" });
    expect(revoked.reply).toContain("535 5.7.3");
    expect(revoked.diagnosis).toMatchObject({
      id: "mailbox-token-rejected",
      advice: expect.arrayContaining([expect.stringContaining("Reconnect")]) as unknown,
    });
    expect(JSON.stringify(revoked)).not.toContain(accessToken);

    await t.db.mailboxLink.deleteMany();
    await link({ email: "disabled@contoso.example", password: "contoso sign-in 2" });
    const disabled = await send(
      (await mailboxAccessToken({ db: t.db, keyring, oauth: config }, actor.orgId)).accessToken,
      "disabled@contoso.example",
    );
    expect(disabled.reply).toContain("535 5.7.139");
    expect(disabled.diagnosis).toMatchObject({
      id: "microsoft-smtp-auth-disabled",
      advice: [expect.stringContaining("Set-CASMailbox"), expect.any(String)],
    });
  });
});
