import { expect, type Page } from "@playwright/test";
import {
  captureServerAction,
  cookieHeader,
  replayServerAction,
  seedOrganisation,
  signIn,
  STRONG_PASSWORD,
  test,
  useFreshApp,
} from "./support/app";

const app = useFreshApp();
test.describe.configure({ mode: "serial" });

const APP_PASSWORD = "qwhz ktrm vbnx plsd";
const APP_PASSWORD_COMPACT = "qwhzktrmvbnxplsd";

type Row = { host: string; port: number; security: string; username: string; fromName: string; version: number; passwordCiphertext: string | null };
const settingsRow = () => app().sql.prepare(`SELECT * FROM "EmailSettings"`).get() as Row | undefined;

test.beforeAll(async () => {
  await seedOrganisation(app(), "Harbour Accounting", [
    { email: "owner@harbour.example", name: "Nora Owner", role: "OWNER" },
    { email: "admin@harbour.example", name: "Adam Admin", role: "ADMIN" },
    { email: "member@harbour.example", name: "Mia Member", role: "MEMBER" },
  ]);
});

test("Google Mail preset, app password with spaces, save and reload: values kept, password never sent back", async ({ page }) => {
  const bodies: Promise<string>[] = [];
  page.on("response", (r) => bodies.push(r.text().catch(() => "")));
  await signIn(page, "admin@harbour.example");
  await page.goto("/settings/email");
  await expect(page.getByTestId("settings-status")).toHaveText("Not set up");

  await page.getByLabel("Provider", { exact: true }).selectOption({ label: "Google Mail (Gmail)" });
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
  await expect(page.getByLabel("TLS Port", { exact: true })).toHaveValue("587");
  await expect(page.getByLabel("Security", { exact: true })).toHaveValue("starttls");
  await expect(page.getByTestId("google-notes")).toContainText("2-Step Verification");

  await page.getByLabel("User", { exact: true }).fill("accounts@harbour.example");
  await page.getByLabel("Password", { exact: true }).fill(APP_PASSWORD);
  await page.getByLabel("From name", { exact: true }).fill("Harbour Accounts");
  await page.getByLabel("From address", { exact: true }).fill("accounts@harbour.example");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");
  // Without a reload: the history lists the save, and the password field is blank again with its saved note.
  await expect(page.getByTestId("history-entry").first()).toContainText("Password: changed");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(page.getByTestId("password-saved-note")).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Provider", { exact: true })).toHaveValue("google-mail");
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
  await expect(page.getByLabel("User", { exact: true })).toHaveValue("accounts@harbour.example");
  await expect(page.getByLabel("From name", { exact: true })).toHaveValue("Harbour Accounts");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(page.getByTestId("password-saved-note")).toHaveText(/^Saved on .+; leave blank to keep it\.$/);
  await expect(page.getByTestId("history-entry").first()).toContainText("Password: changed");

  const row = settingsRow()!;
  expect(row.username).toBe("accounts@harbour.example");
  expect(row.passwordCiphertext).toMatch(/^v1\./);
  const all = (await Promise.all(bodies)).join("\n") + (await page.content());
  expect(bodies.length).toBeGreaterThan(5);
  for (const secret of [APP_PASSWORD_COMPACT, APP_PASSWORD, "qwhz", row.passwordCiphertext!.split(".")[4]]) {
    expect(all.includes(secret), `a response contained ${secret}`).toBe(false);
  }
});

test("bad input is refused next to its field and nothing is saved", async ({ page }) => {
  await signIn(page, "admin@harbour.example");
  await page.goto("/settings/email");
  const before = settingsRow()!;

  await page.getByLabel("Server", { exact: true }).fill("https://smtp.gmail.com");
  await page.getByLabel("TLS Port", { exact: true }).fill("70000");
  await page.getByLabel("From address", { exact: true }).fill("not an address");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByLabel("Server", { exact: true })).toHaveAccessibleDescription(/without https:\/\//);
  await expect(page.getByLabel("TLS Port", { exact: true })).toHaveAccessibleDescription(/1 to 65535/);
  await expect(page.getByLabel("From address", { exact: true })).toHaveAccessibleDescription(/valid email address/);
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("https://smtp.gmail.com");
  expect(settingsRow()).toEqual(before);

  // host:port is offered as a one-click split.
  await page.getByLabel("Server", { exact: true }).fill("smtp.gmail.com:465");
  await page.getByRole("button", { name: "Split into Server smtp.gmail.com and TLS Port 465" }).click();
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
  await expect(page.getByLabel("TLS Port", { exact: true })).toHaveValue("465");
  await expect(page.getByLabel("Security", { exact: true })).toHaveValue("ssl");

  // A Google account password instead of an app password.
  await page.getByLabel("From address", { exact: true }).fill("accounts@harbour.example");
  await page.getByLabel("Password", { exact: true }).fill("MyUsualGooglePassword1!");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByLabel("Password", { exact: true })).toHaveAccessibleDescription(/Google requires an app password/);
  await expect(page.getByRole("link", { name: "How to create a Google app password" })).toHaveAttribute("href", "/help/google-mail-smtp#app-password");
  expect(settingsRow()).toEqual(before);
});

test("security follows the port until chosen, and a mismatch is explained", async ({ page }) => {
  await signIn(page, "admin@harbour.example");
  await page.goto("/settings/email");
  await page.getByLabel("Provider", { exact: true }).selectOption("custom");
  await page.getByLabel("TLS Port", { exact: true }).fill("465");
  await expect(page.getByLabel("Security", { exact: true })).toHaveValue("ssl");
  await page.getByLabel("TLS Port", { exact: true }).fill("587");
  await expect(page.getByLabel("Security", { exact: true })).toHaveValue("starttls");
  await page.getByLabel("Security", { exact: true }).selectOption("ssl");
  await expect(page.getByText("Port 587 expects STARTTLS")).toBeVisible();
  await page.getByRole("button", { name: "Use STARTTLS" }).click();
  await expect(page.getByLabel("Security", { exact: true })).toHaveValue("starttls");
});

test("a known mailbox domain is offered as a preset, never applied silently", async ({ page }) => {
  await signIn(page, "admin@harbour.example");
  await page.goto("/settings/email");
  await page.getByLabel("Provider", { exact: true }).selectOption("custom");
  await page.getByLabel("Server", { exact: true }).fill("");
  await page.getByLabel("User", { exact: true }).fill("someone@outlook.com");
  await page.getByLabel("User", { exact: true }).blur();
  const offer = page.getByRole("button", { name: /^Use Outlook\.com.* settings$/ });
  await expect(offer).toBeVisible();
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("");
  await offer.click();
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp-mail.outlook.com");
  await expect(page.getByLabel("Provider", { exact: true })).toHaveValue("outlook-com");
});

test("two admins editing at once: the second save is refused and the first one's values survive", async ({ browser }) => {
  const [owner, admin] = await Promise.all([openAs(browser, "owner@harbour.example"), openAs(browser, "admin@harbour.example")]);
  await owner.getByLabel("From name", { exact: true }).fill("Harbour Billing (Nora)");
  await admin.getByLabel("From name", { exact: true }).fill("Harbour Billing (Adam)");
  await owner.getByRole("button", { name: "Save settings" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await admin.getByRole("button", { name: "Save settings" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "Nora Owner changed these settings" })).toBeVisible();
  expect(settingsRow()!.fromName).toBe("Harbour Billing (Nora)");
  // The refused form keeps what Adam typed, so nothing he did is lost from view.
  await expect(admin.getByLabel("From name", { exact: true })).toHaveValue("Harbour Billing (Adam)");
  await owner.context().close();
  await admin.context().close();
});

test("a member sees the settings read-only and cannot save, even by posting the action directly", async ({ page, browser }) => {
  await signIn(page, "member@harbour.example");
  await page.goto("/settings/email");
  await expect(page.getByText("Only owners and admins can change these settings. Ask Nora Owner, Adam Admin.")).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: /^smtp\.gmail\.com$/ })).toBeVisible();
  await expect(page.getByLabel("Password", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);

  const admin = await openAs(browser, "admin@harbour.example");
  await admin.getByLabel("Server", { exact: true }).fill("smtp.attacker.example");
  const save = await captureServerAction(admin, () => admin.getByRole("button", { name: "Save settings" }).click(), true);
  const before = settingsRow()!;
  const asMember = await replayServerAction(save, { cookie: await cookieHeader(page) });
  expect(asMember.text).toContain("Only owners and admins can do this");
  const anonymous = await replayServerAction(save);
  expect(anonymous.text).not.toContain("Saved.");
  expect(settingsRow()).toEqual(before);
  await admin.context().close();
});

async function openAs(browser: import("@playwright/test").Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: app().baseURL });
  const page = await context.newPage();
  await signIn(page, email);
  await page.goto("/settings/email");
  return page;
}

test("the page itself is the same static file for everyone; the member's data comes only from the checked JSON route", async ({ page }) => {
  const base = app().baseURL;
  await signIn(page, "admin@harbour.example");
  const cookie = await cookieHeader(page);

  // The document: nothing about the member or the organisation, so it can never be served to the wrong person.
  const html = await (await fetch(`${base}/settings/email`, { headers: { cookie } })).text();
  expect(html).toContain("Finance email");
  for (const personal of ["Harbour Accounting", "admin@harbour.example", "Adam Admin", "smtp.gmail.com"]) expect(html).not.toContain(personal);

  // The data: the member's settings, never the password, and nothing without a session.
  const data = await fetch(`${base}/api/settings/email`, { headers: { cookie } });
  expect(data.status).toBe(200);
  expect(data.headers.get("cache-control")).toContain("no-store");
  const body = await data.text();
  expect(JSON.parse(body)).toMatchObject({ canEdit: true, form: { host: "smtp.gmail.com" }, settings: { hasPassword: true } });
  expect(body).not.toContain(APP_PASSWORD_COMPACT);
  expect(body).not.toContain(settingsRow()!.passwordCiphertext!);

  const anonymous = await fetch(`${base}/api/settings/email`);
  expect(anonymous.status).toBe(401);
  expect(await anonymous.json()).toEqual({ redirectTo: "/sign-in?callbackUrl=%2Fsettings%2Femail" });
  const forged = await fetch(`${base}/api/settings/email`, { headers: { cookie: "authjs.session-token=forged.token.value" } });
  expect(forged.status).toBe(401);
  expect(await fetch(`${base}/api/me`).then((r) => r.status)).toBe(401);
});

test("a session that is no longer valid on the Finance email page goes to sign-in and comes back", async ({ page }) => {
  await page.context().addCookies([{ name: "authjs.session-token", value: "expired-or-forged", url: app().baseURL }]);
  await page.goto("/settings/email");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings%2Femail$/);
  await page.getByLabel("Email").fill("admin@harbour.example");
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/email$/);
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
});

test("when the settings cannot be loaded the page says so, changes nothing, and Try again recovers", async ({ page }) => {
  await signIn(page, "admin@harbour.example");
  const before = settingsRow();
  let failures = 0;
  await page.route("**/api/settings/email", (route) => {
    failures++;
    return route.fulfill({ status: 500, contentType: "text/plain", body: "Internal Server Error" });
  });
  await page.goto("/settings/email");
  const alert = page.getByRole("alert").filter({ hasText: "Your settings could not be loaded." });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText("Nothing has been changed.");
  expect(failures).toBe(1);
  await expect(page.getByLabel("Server", { exact: true })).toHaveCount(0);

  await page.unroute("**/api/settings/email");
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
  await expect(alert).toHaveCount(0);
  expect(settingsRow()).toEqual(before);
});
