import { expect } from "@playwright/test";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { ensureTestCa } from "../../stand-ins/test-ca";
import { expectAccessible } from "./support/accessibility";
import {
  attemptSignIn,
  count,
  query,
  seedOrganisation,
  signIn,
  STRONG_PASSWORD,
  submitSignInForm,
  test,
  useFreshApp,
} from "./support/app";

// As if behind one proxy of the operator's own that appends the client's address to X-Forwarded-For, so each
// browser context below can come from its own client address. (The default, 0 hops, is in multi-instance.spec.ts.)
// A real SMTP server is the system mailer, and keeps what it is sent (the one-time codes).
const ca = ensureTestCa();
let systemMail: TestSmtpServer;
test.beforeAll(async () => {
  systemMail = await startTestSmtpServer({ user: "alerts@fes.example", password: "system-mail-pass" });
});
test.afterAll(async () => {
  await systemMail?.close();
});
const app = useFreshApp(() => ({
  TRUSTED_PROXY_HOPS: "1",
  SYSTEM_MAIL_URL: `smtp://alerts%40fes.example:system-mail-pass@localhost:${systemMail.starttlsPort}`,
  SYSTEM_MAIL_FROM: "alerts@fes.example",
  NODE_EXTRA_CA_CERTS: ca.caFile,
}));

test.beforeAll(async () => {
  await seedOrganisation(app(), "Harbour Accounting", [
    { email: "owner@harbour.example", name: "Olive Owner", role: "OWNER" },
    { email: "target@harbour.example", name: "Tara Target", role: "ADMIN" },
  ]);
});

test("an anonymous visit to a protected page goes to /sign-in and returns there after signing in", async ({ page }) => {
  await page.goto("/members");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fmembers$/);
  await submitSignInForm(page, "owner@harbour.example");
  await expect(page).toHaveURL(/\/members$/);
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
});

test("a callbackUrl that a browser would read as another host never leaves this site, signed in or not", async ({
  page,
}) => {
  const origin = new URL(app().baseURL).origin;
  // A tab inside "/\t/evil.example" is dropped by browsers, which then read "//evil.example".
  const tricks = [
    "%2F%09%2Fevil.example",
    "%2F%5C%2Fevil.example",
    "%2F.%2F%2Fevil.example",
    "https%3A%2F%2Fevil.example",
    "%2F%0A%2Fevil.example",
  ];
  await page.goto(`/sign-in?callbackUrl=${tricks[0]}`);
  await submitSignInForm(page, "owner@harbour.example");
  await expect(page).toHaveURL(`${origin}/`);
  for (const trick of tricks) {
    await page.goto(`/sign-in?callbackUrl=${trick}`);
    await expect(page, trick).toHaveURL(`${origin}/`);
    await expect(page.getByTestId("org-name")).toHaveText("Harbour Accounting");
  }
});

test("an expired temporary password is refused with what to do, not as a wrong password", async ({ page }) => {
  await seedOrganisation(app(), "Tide Pool Clinic", [
    { email: "newbie@tidepool.example", name: "Nia Newbie", role: "MEMBER", mustChangePassword: true },
  ]);
  await query(
    app(),
    `UPDATE "User" SET "temporaryPasswordExpiresAt" = ? WHERE email = ?`,
    new Date(Date.now() - 60_000).toISOString(),
    "newbie@tidepool.example",
  );
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("newbie@tidepool.example");
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "This temporary password has expired." })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("sign out ends the session; signing in again works", async ({ page }) => {
  await signIn(page, "owner@harbour.example");
  await expect(page.getByTestId("org-name")).toHaveText("Harbour Accounting");
  await page.locator("header summary").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, "owner@harbour.example");
  await expect(page.getByRole("heading", { name: "Hello, Olive" })).toBeVisible();
});

test("a wrong password and an unknown email get the same message", async ({ browser }) => {
  const context = await browser.newContext({
    baseURL: app().baseURL,
    extraHTTPHeaders: { "X-Forwarded-For": "198.51.100.20" },
  });
  const page = await context.newPage();
  const messages: string[] = [];
  for (const email of ["owner@harbour.example", "nobody@harbour.example"]) {
    await page.goto("/sign-in");
    await submitSignInForm(page, email, "not the right password");
    const alert = page.getByRole("alert").filter({ hasText: /match/ });
    await expect(alert).toBeVisible();
    messages.push((await alert.textContent()) ?? "");
    await expect(page.getByLabel("Email")).toHaveValue(email);
  }
  expect(messages[0]).toBe("That email and password do not match an account.");
  expect(messages[1]).toBe(messages[0]);
  await context.close();
});

test("guesses from one address pause only that address: the owner signs in from another while 20 parallel guesses go on", async ({
  browser,
  playwright,
}) => {
  const failedChecks = () =>
    count(
      app(),
      `SELECT COUNT(*) AS n FROM "AuditEvent" a JOIN "User" u ON u.id = a."actorId" WHERE u.email = ? AND a.action = 'sign_in.failed'`,
      "target@harbour.example",
    );
  // Auth.js's own credentials endpoint, as a script would use it: 20 guesses at once, then 20 more.
  const guesser = await playwright.request.newContext({
    baseURL: app().baseURL,
    extraHTTPHeaders: { "X-Forwarded-For": "192.0.2.77" },
  });
  const { csrfToken } = (await (await guesser.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const guess = (password: string) =>
    guesser.post("/api/auth/callback/credentials", {
      form: { email: "target@harbour.example", password, csrfToken, callbackUrl: "/" },
      maxRedirects: 0,
    });
  const burst = () => Promise.all(Array.from({ length: 20 }, (_, i) => guess(`parallel guess ${i}`)));
  const guessing = burst().then(burst);
  // Meanwhile the owner, from their own address, with the right password: in (after a short slowing delay).
  expect(await attempt(browser, "198.51.100.5", "target@harbour.example", STRONG_PASSWORD)).toBe("signed in");
  await guessing;
  expect(failedChecks()).toBeLessThanOrEqual(5);
  // However many guesses came, the guesser's address got at most 5 checks and is now paused, even for the right password.
  for (let i = failedChecks(); i < 5; i++) await guess(`top-up guess ${i}`);
  expect(failedChecks()).toBe(5);
  const refused = await guess(STRONG_PASSWORD);
  expect(refused.headers()["location"]).toMatch(/code=throttled/);
  expect(await attempt(browser, "192.0.2.77", "target@harbour.example", STRONG_PASSWORD)).toMatch(
    /Too many failed sign-in attempts.*try again/i,
  );
  await guesser.dispose();
});

test("after 20 failures from one client address, that address is paused for every account", async ({ browser }) => {
  test.setTimeout(150_000); // 22 sign-ins in fresh browser contexts, each checking a password hash
  for (let i = 1; i <= 20; i++) {
    expect(await attempt(browser, "192.0.2.88", `guess${i}@harbour.example`, "wrong password")).toMatch(/do not match/);
  }
  expect(await attempt(browser, "192.0.2.88", "owner@harbour.example", STRONG_PASSWORD)).toMatch(/Too many failed/);
  // The same account from another address still signs in.
  expect(await attempt(browser, "192.0.2.89", "owner@harbour.example", STRONG_PASSWORD)).toBe("signed in");
});

test("an X-Forwarded-For entry with a port counts as its address, whatever the port", async ({ playwright }) => {
  await seedOrganisation(app(), "Pier Payroll", [{ email: "pat@pier.example", name: "Pat Pier", role: "OWNER" }]);
  const api = await playwright.request.newContext({ baseURL: app().baseURL });
  const { csrfToken } = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const post = (password: string, port: number) =>
    api.post("/api/auth/callback/credentials", {
      headers: { "X-Forwarded-For": `192.0.2.91:${port}` },
      form: { email: "pat@pier.example", password, csrfToken, callbackUrl: "/" },
      maxRedirects: 0,
    });
  for (let i = 0; i < 5; i++)
    expect((await post(`guess ${i}`, 51000 + i)).headers()["location"]).toMatch(/code=invalid/);
  expect((await post(STRONG_PASSWORD, 60000)).headers()["location"]).toMatch(/code=throttled/);
  await api.dispose();
});

test("past 20 failures, the right password from a new address asks for a one-time code from the email: a wrong code is refused, the emailed one signs in", async ({
  browser,
  playwright,
}) => {
  test.setTimeout(240_000); // 21 failures, each after the account's slowdown (1, 2, 4, then 8 s): about 2 minutes
  const email = "quinn@quay.example";
  await seedOrganisation(app(), "Quay Books", [{ email, name: "Quinn Quay", role: "OWNER" }]);
  const guesser = await playwright.request.newContext({ baseURL: app().baseURL });
  const { csrfToken } = (await (await guesser.get("/api/auth/csrf")).json()) as { csrfToken: string };
  for (let i = 1; i <= 21; i++) {
    const guess = await guesser.post("/api/auth/callback/credentials", {
      headers: { "X-Forwarded-For": `203.0.113.${i}` },
      form: { email, password: `guess ${i}`, csrfToken, callbackUrl: "/" },
      maxRedirects: 0,
    });
    expect(guess.headers()["location"]).toMatch(/code=invalid/);
  }
  await guesser.dispose();
  systemMail.reset();

  const context = await browser.newContext({
    baseURL: app().baseURL,
    extraHTTPHeaders: { "X-Forwarded-For": "198.51.100.150" },
  });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await submitSignInForm(page, email, STRONG_PASSWORD);
  await expect(page.getByRole("status").filter({ hasText: `emailed a one-time code to ${email}` })).toBeVisible();
  const codeField = page.getByLabel("One-time code");
  await expect(codeField).toBeFocused();
  await expect(page.getByLabel("Password", { exact: true })).toHaveCount(0);
  await expectAccessible(page);

  await expect.poll(() => systemMail.messages.length).toBe(1);
  const [mail] = systemMail.messages;
  expect(mail.envelopeTo).toEqual([email]);
  expect(mail.subject).toBe("Your one-time sign-in code for Finance Email Setup");
  expect(mail.raw).not.toContain(STRONG_PASSWORD);
  const code = /^ {4}(\d{6})\r?$/m.exec(mail.raw)?.[1] ?? "";
  expect(code).toMatch(/^\d{6}$/);

  await codeField.fill(code === "000000" ? "000001" : "000000");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That code is not the one we sent." })).toBeVisible();
  await expect(codeField).toBeFocused();
  await expect(codeField).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/sign-in/);

  await codeField.fill(code);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByTestId("org-name")).toHaveText("Quay Books");
  await context.close();
});

async function attempt(
  browser: import("@playwright/test").Browser,
  clientAddress: string,
  email: string,
  password: string,
): Promise<string> {
  const context = await browser.newContext({
    baseURL: app().baseURL,
    extraHTTPHeaders: { "X-Forwarded-For": clientAddress },
  });
  const page = await context.newPage();
  try {
    return (await attemptSignIn(page, email, password)) ?? "signed in";
  } finally {
    await context.close();
  }
}
