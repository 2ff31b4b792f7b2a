// Link a Microsoft 365 mailbox by signing in, send over XOAUTH2, see a revoked sign-in diagnosed, Reconnect.
// The "Microsoft" here is a real OpenID Connect provider (oidc-provider over HTTPS with the test CA, found through
// discovery as login.microsoftonline.com would be), and "smtp.office365.com:587" is a local STARTTLS SMTP server
// (127.0.0.2, with a certificate for that name from the test CA) that accepts AUTH XOAUTH2 only with a live access
// token from that provider, answering 535 5.7.3 otherwise, as Microsoft does. The app resolves the name through
// tests/e2e/support/hosts-preload.cjs; nothing in the app is changed for the test.
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from "smtp-server";
import { startOidcTestProvider, type OidcTestProvider } from "../../stand-ins/oidc-test-provider";
import { ensureNamedCert } from "../../stand-ins/test-ca";
import {
  captureServerAction,
  cookieHeader,
  count,
  freePort,
  openEmailSettings,
  replayServerAction,
  seedOrganisation,
  signIn,
  startApp,
  submitSignInForm,
  type TestApp,
} from "./support/app";
import { confirmInDialog } from "./support/confirm";

const OFFICE365 = "smtp.office365.com";
const LOCAL_OFFICE365 = "127.0.0.2";
const MAILBOX = { email: "finance@contoso.example", password: "Contoso sign-in 2026" };
const CLIENT = { clientId: "finance-email-setup", clientSecret: "client-secret-for-the-browser-test" };

const cert = ensureNamedCert(OFFICE365, "office365");
const preload = path.resolve(__dirname, "support/hosts-preload.cjs");

let app: TestApp;
let idp: OidcTestProvider;
let office365: {
  received: { authUser: string; method: string; to: string[] }[];
  /** Every access token presented with XOAUTH2: secrets the app's log must never hold. */
  tokens: string[];
  close: () => Promise<void>;
};

/** smtp.office365.com's stand-in: STARTTLS on 587, AUTH XOAUTH2 with a live token for that mailbox only. */
async function startOffice365(verify: OidcTestProvider["verifyAccessToken"]) {
  const received: { authUser: string; method: string; to: string[] }[] = [];
  const tokens: string[] = [];
  const server = new SMTPServer({
    name: OFFICE365,
    key: fs.readFileSync(cert.key),
    cert: fs.readFileSync(cert.cert),
    authMethods: ["XOAUTH2", "LOGIN"],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      const refuse = () =>
        callback(Object.assign(new Error("5.7.3 Authentication unsuccessful"), { responseCode: 535 }));
      if (auth.method !== "XOAUTH2") return refuse();
      if (auth.accessToken) tokens.push(auth.accessToken);
      void verify(auth.accessToken ?? "").then((result) => {
        if (!result.ok || result.email !== (auth.username ?? "").toLowerCase()) return refuse();
        callback(null, { user: `${auth.username}|${auth.method}` });
      }, refuse);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      stream.resume();
      stream.on("end", () => {
        const [authUser, method] = String(session.user).split("|");
        received.push({ authUser, method, to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(587, LOCAL_OFFICE365, () => resolve());
  });
  return { received, tokens, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  const port = await freePort();
  idp = await startOidcTestProvider({
    clients: [{ ...CLIENT, redirectUris: [`http://127.0.0.1:${port}/api/oauth/microsoft/callback`] }],
    accounts: [{ ...MAILBOX, name: "Contoso Finance" }],
  });
  office365 = await startOffice365((token) => idp.verifyAccessToken(token));
  app = await startApp(
    {
      MICROSOFT_CLIENT_ID: CLIENT.clientId,
      MICROSOFT_CLIENT_SECRET: CLIENT.clientSecret,
      MICROSOFT_AUTHORITY: idp.issuer,
      APP_URL: `http://127.0.0.1:${port}`,
      NODE_EXTRA_CA_CERTS: cert.caFile,
      SMTP_ALLOW_PRIVATE_NETWORKS: "true",
      NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${preload}`].filter(Boolean).join(" "),
      TEST_HOSTS: `${OFFICE365}=${LOCAL_OFFICE365}`,
    },
    { port },
  );
  await seedOrganisation(app, "Contoso Dental", [
    { email: "admin@contoso.example", name: "Ada Admin", role: "ADMIN" },
    { email: "member@contoso.example", name: "Mo Member", role: "MEMBER" },
  ]);
});

test.afterAll(async () => {
  await app?.stop();
  await office365?.close();
  await idp?.close();
});

/** The admin's Finance email page with Microsoft 365 chosen as the provider. */
async function adminChoosingMicrosoft(browser: Browser): Promise<Page> {
  // The provider's pages are served with the test CA, which this browser does not know; the app's own server
  // checks the provider's certificate properly (NODE_EXTRA_CA_CERTS).
  const context = await browser.newContext({ baseURL: app.baseURL, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await openEmailSettings(page, "admin@contoso.example");
  await field(page, "Provider").selectOption("microsoft-365");
  return page;
}

/** At the provider: sign in as the mailbox and accept the permissions asked for. */
async function signInAtMicrosoft(page: Page) {
  await submitSignInForm(page, MAILBOX.email, MAILBOX.password);
  await expect(page.getByText("SMTP.Send")).toBeVisible();
  await page.getByRole("button", { name: "Accept" }).click();
  await page.waitForURL(/\/settings\/email\?connected=microsoft/);
}

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

test("Microsoft 365: connect by signing in, send a test email over XOAUTH2, a revoked sign-in says Reconnect, Reconnect restores it", async ({
  browser,
}) => {
  // Two sign-ins at the provider, three tests and a disconnect: longer than one page's test.
  test.setTimeout(120_000);
  const page = await adminChoosingMicrosoft(browser);
  // The authorization codes the provider sends back through the browser: secrets too.
  const codes: string[] = [];
  page.on("request", (r) => {
    const code = new URL(r.url()).searchParams.get("code");
    if (code && new URL(r.url()).pathname.startsWith("/api/oauth/")) codes.push(code);
  });
  // Signing in comes first; the password path second, with its limits.
  await expect(page.getByTestId("microsoft-password-note")).toContainText("end of December 2026");
  await page.getByRole("button", { name: "Connect with Microsoft" }).click();

  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/`));
  await signInAtMicrosoft(page);
  await expect(page.getByTestId("connected-mailbox")).toHaveText(MAILBOX.email);
  await expect(
    page.getByRole("status").filter({ hasText: `Connected as ${MAILBOX.email}. Send a test email` }),
  ).toBeVisible();
  await expect(field(page, "User")).toHaveValue(MAILBOX.email);
  await expect(field(page, "User")).toHaveAttribute("readonly", "");
  await expect(field(page, "Server")).toHaveValue(OFFICE365);
  await expect(page.getByLabel("Password", { exact: true })).toHaveCount(0);
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");

  // The test email goes out as the mailbox, signed in with its token.
  await page.getByRole("button", { name: "Send test email" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Test email sent");
  await expect(page.getByTestId("test-result")).toContainText("XOAUTH2");
  expect(office365.received.at(-1)).toEqual({
    authUser: MAILBOX.email,
    method: "XOAUTH2",
    to: ["admin@contoso.example"],
  });
  await expect(page.getByTestId("settings-status")).toHaveText("Working");

  // The mailbox's password changes at Microsoft: every grant is revoked. The next check fails with the one fix.
  await idp.revokeGrantsFor(MAILBOX.email);
  await page.getByRole("button", { name: "Check connection" }).click();
  const diagnosis = page.getByTestId("diagnosis");
  await expect(diagnosis).toHaveAttribute("data-diagnosis", "mailbox-token-rejected");
  await expect(diagnosis).toContainText("Press Reconnect");
  await expect(page.getByTestId("settings-status")).toHaveText("Failing");

  await page.getByRole("button", { name: "Reconnect" }).click();
  await signInAtMicrosoft(page);
  await expect(page.getByTestId("connected-mailbox")).toHaveText(MAILBOX.email);
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection works");
  await expect(page.getByTestId("settings-status")).toHaveText("Working");

  // Nothing secret reached the server's log: not the codes, not the tokens (the README's "never written to logs").
  expect(codes.length).toBeGreaterThanOrEqual(2);
  expect(office365.tokens.length).toBeGreaterThanOrEqual(2);
  const log = app.logs();
  for (const secret of [...codes, ...office365.tokens]) expect(log.includes(secret), "a secret in the log").toBe(false);

  // Nothing secret reached the browser or sits in the database in clear.
  const html = await page.content();
  expect(html).not.toMatch(/refresh_token|access_token/i);
  expect(count(app, `SELECT COUNT(*) AS n FROM "MailboxLink" WHERE "refreshTokenCiphertext" LIKE 'v1.%'`)).toBe(1);

  // Microsoft publishes no revocation endpoint: the page says where the permission is removed.
  const kept = page.getByTestId("permission-kept");
  await expect(kept).toContainText("Microsoft keeps this permission until it is removed at myapps.microsoft.com.");
  await expect(kept.getByRole("link", { name: "myapps.microsoft.com" })).toHaveAttribute(
    "href",
    "https://myapps.microsoft.com",
  );

  // Disconnect: the tokens are gone and the status says so.
  await confirmInDialog(page.getByRole("button", { name: "Disconnect" }), {
    question: `Disconnect ${MAILBOX.email}?`,
    confirm: "Disconnect",
  });
  await expect(page.getByRole("button", { name: "Connect with Microsoft" })).toBeVisible();
  await expect(page.getByTestId("settings-status")).toHaveText("Not set up");
  expect(count(app, `SELECT COUNT(*) AS n FROM "MailboxLink"`)).toBe(0);
  await page.context().close();
});

test("a member can neither start nor finish a sign-in, and a callback without this browser's state links nothing", async ({
  browser,
}) => {
  // The admin's Connect, captured (not sent) and replayed with a member's session: refused, nothing recorded.
  const admin = await adminChoosingMicrosoft(browser);
  const connect = await captureServerAction(
    admin,
    () => admin.getByRole("button", { name: "Connect with Microsoft" }).click(),
    true,
  );
  const context = await browser.newContext({ baseURL: app.baseURL });
  const member = await context.newPage();
  await signIn(member, "member@contoso.example");
  const requests = () => count(app, `SELECT COUNT(*) AS n FROM "OAuthRequest"`);
  const before = requests();
  const refused = await replayServerAction(connect, { cookie: await cookieHeader(member) });
  expect(refused.text).toContain("Only owners and admins can do this");
  expect(requests()).toBe(before);

  const asMember = await member.request.get("/api/oauth/microsoft/callback?code=stolen&state=guessed", {
    maxRedirects: 0,
  });
  expect(asMember.status()).toBe(303);
  expect(asMember.headers()["location"]).toMatch(/\/\?denied=1$/);
  await context.close();

  const forged = await admin.request.get("/api/oauth/microsoft/callback?code=stolen&state=guessed", {
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(303);
  const back = forged.headers()["location"];
  expect(new URL(back).searchParams.get("connectError")).toBe("state");
  await admin.goto(back);
  await expect(admin.getByRole("alert").filter({ hasText: "sign-in link" })).toHaveText(
    "This sign-in link is not valid any more. Start again with the Connect button.",
  );
  expect(count(app, `SELECT COUNT(*) AS n FROM "MailboxLink"`)).toBe(0);
  await admin.context().close();
});

test("the page words a sign-in failure itself: text put in the link is never shown", async ({ browser }) => {
  const admin = await adminChoosingMicrosoft(browser);
  const planted = "Your mailbox is suspended. Call +1 555 0100 and read out your password.";
  await admin.goto(`/settings/email?connectError=${encodeURIComponent(planted)}&provider=microsoft`);
  const alert = admin.getByRole("alert").filter({ hasText: "sign-in" });
  await expect(alert).toHaveText("Microsoft sign-in could not be completed. Try Connect again.");
  expect(await admin.content()).not.toContain("Call +1 555 0100");
  await admin.goto("/settings/email?connectError=declined&provider=microsoft");
  await expect(alert).toContainText("The sign-in at Microsoft was cancelled or its permissions were not accepted");
  await admin.context().close();
});

test("with APP_URL set, the callback's redirects and the redirect URI use it, whatever address the request came to", async ({
  browser,
}) => {
  // APP_URL is http://127.0.0.1:<port>; the same server is also reachable as localhost.
  const other = app.baseURL.replace("127.0.0.1", "localhost");
  const anonymous = await fetch(`${other}/api/oauth/microsoft/callback?code=c&state=s`, { redirect: "manual" });
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.get("location")).toMatch(new RegExp(`^${app.baseURL}/sign-in\\?`));

  const context = await browser.newContext({ baseURL: other, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await signIn(page, "admin@contoso.example");
  const forged = await page.request.get("/api/oauth/microsoft/callback?code=stolen&state=guessed", {
    maxRedirects: 0,
  });
  expect(forged.headers()["location"]).toMatch(new RegExp(`^${app.baseURL}/settings/email\\?`));
  await page.goto("/settings/email");
  await field(page, "Provider").selectOption("microsoft-365");
  const authorization = page.waitForRequest((request) => request.url().startsWith(`${idp.issuer}/auth?`));
  await page.getByRole("button", { name: "Connect with Microsoft" }).click();
  expect(new URL((await authorization).url()).searchParams.get("redirect_uri")).toBe(
    `${app.baseURL}/api/oauth/microsoft/callback`,
  );
  await context.close();
});
