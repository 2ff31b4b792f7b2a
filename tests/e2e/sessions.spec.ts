import crypto from "node:crypto";
import { decode, encode } from "@auth/core/jwt";
import { expect, type Browser, type Page } from "@playwright/test";
import { seedOrganisation, signIn, STRONG_PASSWORD, submitSignInForm, test, useFreshApp } from "./support/app";
import { confirmInDialog } from "./support/confirm";

// Sessions that can be ended: every session token carries the user's session version, and a
// password change, "Sign out everywhere", or an admin's reset moves the version on; the sign-in time is fixed.
const AUTH_SECRET = crypto.randomBytes(32).toString("base64url");
const app = useFreshApp({ AUTH_SECRET });
const COOKIE = "authjs.session-token";

test.beforeAll(async () => {
  await seedOrganisation(app(), "Lakeside Dental", [
    { email: "owner@lakeside.example", name: "Lena Owner", role: "OWNER" },
    { email: "admin@lakeside.example", name: "Arto Admin", role: "ADMIN" },
    { email: "two@lakeside.example", name: "Tove Two", role: "MEMBER" },
    { email: "everywhere@lakeside.example", name: "Eli Everywhere", role: "MEMBER" },
    { email: "lifetime@lakeside.example", name: "Liv Lifetime", role: "MEMBER" },
  ]);
});

async function signedInPage(browser: Browser, email: string, password = STRONG_PASSWORD): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: app().baseURL })).newPage();
  await signIn(page, email, password);
  return page;
}

async function closeBrowsers(...pages: Page[]) {
  for (const page of pages) await page.context().close();
}

/** The next request of a browser whose session has ended lands on the sign-in page. */
async function expectSignedOut(page: Page, path = "/settings/email") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

test("a password change in one browser signs the other out at its next request; the first stays in", async ({
  browser,
}) => {
  const laptop = await signedInPage(browser, "two@lakeside.example");
  const phone = await signedInPage(browser, "two@lakeside.example");
  await phone.goto("/settings/email");
  await expect(phone.getByRole("heading", { name: "Finance email" })).toBeVisible();

  await laptop.goto("/change-password");
  await laptop.getByLabel("Current password").fill(STRONG_PASSWORD);
  await laptop.getByLabel("New password", { exact: true }).fill("tove's brand new phrase 7");
  await laptop.getByLabel("Repeat new password").fill("tove's brand new phrase 7");
  await laptop.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByRole("status").filter({ hasText: "Your password has been changed." })).toBeVisible();
  await laptop.goto("/settings/email");
  await expect(laptop.getByRole("heading", { name: "Finance email" })).toBeVisible();

  // Auth.js's own session endpoint agrees: the old token is no session at all.
  expect(await (await phone.request.get("/api/auth/session")).json()).toBeNull();
  await expectSignedOut(phone);
  await signIn(phone, "two@lakeside.example", "tove's brand new phrase 7");
  await closeBrowsers(laptop, phone);
});

test("an admin's reset ends the sessions made with the old temporary password, which stops working", async ({
  browser,
}) => {
  const admin = await signedInPage(browser, "admin@lakeside.example");
  await admin.goto("/members");
  await admin.getByLabel("Name", { exact: true }).fill("Nils New");
  await admin.getByLabel("Email", { exact: true }).fill("nils@lakeside.example");
  await admin.getByLabel("Role", { exact: true }).selectOption("MEMBER");
  await admin.getByRole("button", { name: "Add member" }).click();
  const firstTemporary = (await admin.getByTestId("temporary-password").textContent())!.trim();

  // Nils signs in with it (and is asked to choose his own password), then the admin resets it.
  const nils = await (await browser.newContext({ baseURL: app().baseURL })).newPage();
  await signIn(nils, "nils@lakeside.example", firstTemporary);
  await expect(nils).toHaveURL(/\/change-password/);

  await admin.reload();
  await confirmInDialog(admin.getByRole("button", { name: "Reset password for nils@lakeside.example" }), {
    question: "Reset the password of nils@lakeside.example?",
    confirm: "Reset password",
  });
  const reset = admin.getByRole("status").filter({ hasText: "Nils New is signed out everywhere" });
  await expect(reset).toBeVisible();
  const secondTemporary = (await reset.getByTestId("temporary-password").textContent())!.trim();
  expect(secondTemporary).not.toBe(firstTemporary);

  await expectSignedOut(nils, "/change-password");
  await submitSignInForm(nils, "nils@lakeside.example", firstTemporary);
  await expect(
    nils.getByRole("alert").filter({ hasText: "That email and password do not match an account." }),
  ).toBeVisible();
  await signIn(nils, "nils@lakeside.example", secondTemporary);
  await expect(nils).toHaveURL(/\/change-password/);
  // An admin cannot reset an owner: the button is not offered.
  await expect(admin.getByRole("button", { name: "Reset password for owner@lakeside.example" })).toHaveCount(0);
  await closeBrowsers(admin, nils);
});

test("Sign out everywhere on the account page ends this browser's session and every other one", async ({ browser }) => {
  const desk = await signedInPage(browser, "everywhere@lakeside.example");
  const home = await signedInPage(browser, "everywhere@lakeside.example");
  await desk.locator("header summary").click();
  await desk.getByRole("link", { name: "Your account" }).click();
  await expect(desk.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(desk.getByTestId("session-times")).toContainText("This browser signed in on");
  await desk.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(desk).toHaveURL(/\/sign-in\?signedOut=everywhere/);
  await expect(desk.getByRole("status").filter({ hasText: "You are signed out on every device." })).toBeVisible();
  await expectSignedOut(desk, "/");
  await expectSignedOut(home, "/account");
  await closeBrowsers(desk, home);
});

test("a sign-in lasts 7 days at most: refreshing the token keeps the sign-in time, and an older one is refused", async ({
  browser,
}) => {
  const page = await signedInPage(browser, "lifetime@lakeside.example");
  const context = page.context();
  const issued = await decode({
    token: (await context.cookies()).find((c) => c.name === COOKIE)!.value,
    secret: AUTH_SECRET,
    salt: COOKIE,
  });
  expect(issued).toMatchObject({ sessionVersion: 0, signedInAt: expect.any(Number) });
  const now = Math.floor(Date.now() / 1000);
  const withSignInAt = async (signedInAt: number) => {
    const value = await encode({
      token: { ...issued, signedInAt },
      secret: AUTH_SECRET,
      salt: COOKIE,
      maxAge: 7 * 86_400,
    });
    await context.addCookies([{ name: COOKIE, value, url: app().baseURL }]);
  };

  // Signed in 6 days and 23 hours ago: still in. Auth.js's session endpoint re-issues the token with a new expiry,
  // and the sign-in time rides along unchanged.
  await withSignInAt(now - 7 * 86_400 + 3600);
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  const refreshed = await page.request.get("/api/auth/session");
  expect(refreshed.ok()).toBe(true);
  const reissued = (await context.cookies()).find((c) => c.name === COOKIE)!;
  const token = await decode({ token: reissued.value, secret: AUTH_SECRET, salt: COOKIE });
  expect(token?.exp).toBeGreaterThan(now + 6 * 86_400);
  expect(token?.signedInAt).toBe(now - 7 * 86_400 + 3600);

  // Signed in 7 days and a minute ago, with a freshly refreshed expiry: refused.
  await withSignInAt(now - 7 * 86_400 - 60);
  await expectSignedOut(page, "/account");
  await context.close();
});
