import { expect, type Page } from "@playwright/test";
import {
  captureServerAction,
  cookieHeader,
  fillCustomSettings,
  openAdvanced,
  openEmailSettings,
  openPart,
  replayServerAction,
  saveSettings,
  seedOrganisation,
  signIn,
  submitSignInForm,
  test,
  useFreshApp,
} from "./support/app";

const app = useFreshApp();
test.describe.configure({ mode: "serial" });

const APP_PASSWORD = "qwhz ktrm vbnx plsd";
const APP_PASSWORD_COMPACT = "qwhzktrmvbnxplsd";

type Row = {
  host: string;
  port: number;
  security: string;
  username: string;
  fromName: string;
  version: number;
  passwordCiphertext: string | null;
};
const settingsRow = () => app().sql.prepare(`SELECT * FROM "EmailSettings"`).get() as Row | undefined;

test.beforeAll(async () => {
  await seedOrganisation(app(), "Harbour Accounting", [
    { email: "owner@harbour.example", name: "Nora Owner", role: "OWNER" },
    { email: "admin@harbour.example", name: "Adam Admin", role: "ADMIN" },
    { email: "member@harbour.example", name: "Mia Member", role: "MEMBER" },
  ]);
});

test("Google Mail preset, app password with spaces, save and reload: values kept, password never sent back", async ({
  page,
}) => {
  const bodies: Promise<string>[] = [];
  page.on("response", (r) => bodies.push(r.text().catch(() => "")));
  await openEmailSettings(page, "admin@harbour.example");
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
  const requests: string[] = [];
  const record = (r: import("@playwright/test").Request) => {
    // Static files and the router's prefetches of links now on screen (e.g. the help links) are not page data.
    const prefetch = Object.keys(r.headers()).some((h) => h.startsWith("next-router-") && h.includes("prefetch"));
    if (!prefetch && !new URL(r.url()).pathname.startsWith("/_next/static/"))
      requests.push(`${r.method()} ${new URL(r.url()).pathname}`);
  };
  page.on("request", record);
  await saveSettings(page);
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");
  // The save's own response brought the fresh page: one request, the action's POST, and no fetch after it.
  page.off("request", record);
  expect(requests).toEqual(["POST /settings/email"]);
  // Without a reload: the password field is blank again with its saved note, and the History part lists the save.
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(page.getByTestId("password-saved-note")).toBeVisible();
  await openPart(page, "History");
  await expect(page.getByTestId("history-entry").first()).toContainText("Password: changed");
  await openPart(page, "Account");

  await page.reload();
  await expect(page.getByLabel("Provider", { exact: true })).toHaveValue("google-mail");
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
  await expect(page.getByLabel("User", { exact: true })).toHaveValue("accounts@harbour.example");
  await expect(page.getByLabel("From name", { exact: true })).toHaveValue("Harbour Accounts");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(page.getByTestId("password-saved-note")).toHaveText(/^Saved on .+; leave blank to keep it\.$/);
  await openPart(page, "History");
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
  await openEmailSettings(page, "admin@harbour.example");
  const before = settingsRow()!;

  await openAdvanced(page);
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
  await expect(page.getByLabel("Password", { exact: true })).toHaveAccessibleDescription(
    /Google requires an app password/,
  );
  await expect(page.getByRole("link", { name: "How to create a Google app password" })).toHaveAttribute(
    "href",
    "/help/google-mail-smtp#app-password",
  );
  expect(settingsRow()).toEqual(before);
});

test("by keyboard alone: a refused save takes focus to the first field it names, which says the rule that failed", async ({
  page,
}) => {
  await openEmailSettings(page, "admin@harbour.example");
  await openAdvanced(page);
  const server = page.getByLabel("Server", { exact: true });
  await server.fill(`${"mail.".repeat(58)}example.com`);
  await page.getByLabel("From address", { exact: true }).fill("not an address");
  await page.getByRole("button", { name: "Save settings" }).focus();
  await page.keyboard.press("Enter");
  await expect(server).toBeFocused();
  await expect(server).toHaveAccessibleDescription(/too long \(at most 253 characters; this one has 301\)/);
  await expect(server).toBeInViewport();
});

test("security follows the port until chosen, and a mismatch is explained", async ({ page }) => {
  await openEmailSettings(page, "admin@harbour.example");
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
  await openEmailSettings(page, "admin@harbour.example");
  await page.getByLabel("Provider", { exact: true }).selectOption("custom");
  await page.getByLabel("Server", { exact: true }).fill("");
  await page.getByLabel("User", { exact: true }).fill("someone@outlook.com");
  await page.getByLabel("User", { exact: true }).blur();
  const offer = page.getByRole("button", { name: /^Use Outlook\.com.* settings$/ });
  await expect(offer).toBeVisible();
  await expect(page.getByText(/^This looks like an Outlook\.com/)).toBeVisible();
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("");
  await offer.click();
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp-mail.outlook.com");
  await expect(page.getByLabel("Provider", { exact: true })).toHaveValue("outlook-com");
});

test("two admins editing at once: the second save is refused and the first one's values survive", async ({
  browser,
}) => {
  const [owner, admin] = await Promise.all([
    openAs(browser, "owner@harbour.example"),
    openAs(browser, "admin@harbour.example"),
  ]);
  await owner.getByLabel("From name", { exact: true }).fill("Harbour Billing (Nora)");
  await admin.getByLabel("From name", { exact: true }).fill("Harbour Billing (Adam)");
  await saveSettings(owner);
  await admin.getByRole("button", { name: "Save settings" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "Nora Owner changed these settings" })).toBeVisible();
  expect(settingsRow()!.fromName).toBe("Harbour Billing (Nora)");
  // The refused form keeps what Adam typed, so nothing he did is lost from view.
  await expect(admin.getByLabel("From name", { exact: true })).toHaveValue("Harbour Billing (Adam)");
  await owner.context().close();
  await admin.context().close();
});

test("a member sees the settings read-only and cannot save, even by posting the action directly", async ({
  page,
  browser,
}) => {
  await openEmailSettings(page, "member@harbour.example");
  await expect(
    page.getByText("Only owners and admins can change these settings. Ask Nora Owner, Adam Admin."),
  ).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: /^smtp\.gmail\.com$/ })).toBeVisible();
  await expect(page.getByLabel("Password", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);

  const admin = await openAs(browser, "admin@harbour.example");
  await openAdvanced(admin);
  await admin.getByLabel("Server", { exact: true }).fill("smtp.attacker.example");
  const save = await captureServerAction(
    admin,
    () => admin.getByRole("button", { name: "Save settings" }).click(),
    true,
  );
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
  await openEmailSettings(page, email);
  return page;
}

test("the first HTML response holds the member's own saved settings, never the password, never another organisation's", async ({
  page,
  browser,
}) => {
  const base = app().baseURL;
  await seedOrganisation(app(), "Lighthouse Dental", [
    { email: "lena@lighthouse.example", name: "Lena Lighthouse", role: "OWNER" },
  ]);
  const lena = await openAs(browser, "lena@lighthouse.example");
  await fillCustomSettings(lena, {
    host: "smtp.lighthouse.example",
    port: "587",
    user: "billing@lighthouse.example",
    password: "Lighthouse-Secret-1",
    fromName: "Lighthouse Billing",
  });
  await saveSettings(lena);
  const lenaCookie = await cookieHeader(lena);
  await lena.context().close();

  await signIn(page, "admin@harbour.example");
  const cookie = await cookieHeader(page);
  const ciphertexts = (
    app().sql.prepare(`SELECT "passwordCiphertext" FROM "EmailSettings"`).all() as { passwordCiphertext: string }[]
  ).map((r) => r.passwordCiphertext);
  expect(ciphertexts).toHaveLength(2);

  // The document itself, as a browser without JavaScript gets it: the header and the form with the saved values.
  const res = await fetch(`${base}/settings/email`, { headers: { cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toContain("no-store");
  const html = await res.text();
  for (const own of [
    "Harbour Accounting",
    "Adam Admin",
    'value="smtp.gmail.com"',
    'value="accounts@harbour.example"',
    'value="Harbour Billing (Nora)"',
    "Saved on ",
  ]) {
    expect(html, `the page should show ${own}`).toContain(own);
  }
  for (const foreign of [
    "Lighthouse",
    "lighthouse.example",
    "Lighthouse-Secret-1",
    APP_PASSWORD_COMPACT,
    ...ciphertexts,
  ]) {
    expect(html.includes(foreign), `the page contained ${foreign}`).toBe(false);
  }
  // And the other way round.
  const theirs = await (await fetch(`${base}/settings/email`, { headers: { cookie: lenaCookie } })).text();
  expect(theirs).toContain('value="smtp.lighthouse.example"');
  for (const foreign of ["Harbour", "harbour.example", "Lighthouse-Secret-1", ...ciphertexts])
    expect(theirs.includes(foreign), `contained ${foreign}`).toBe(false);

  // Without a valid session there is no page, only the way to sign in; the old JSON routes are gone.
  for (const headers of [{} as Record<string, string>, { cookie: "authjs.session-token=forged.token.value" }]) {
    const anonymous = await fetch(`${base}/settings/email`, { headers, redirect: "manual" });
    expect(anonymous.status).toBe(307);
    expect(anonymous.headers.get("location")).toMatch(/\/sign-in\?callbackUrl=%2Fsettings%2Femail$/);
  }
  for (const gone of ["/api/settings/email", "/api/me"])
    expect((await fetch(`${base}${gone}`, { headers: { cookie } })).status).toBe(404);
});

test("without JavaScript: a bad port is refused next to its field keeping what was typed, then the fixed form saves", async ({
  page,
  browser,
}) => {
  await signIn(page, "admin@harbour.example");
  const context = await browser.newContext({
    baseURL: app().baseURL,
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const nojs = await context.newPage();
  const before = settingsRow()!;
  await nojs.goto("/settings/email");
  await expect(nojs.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");

  await nojs.getByLabel("From name", { exact: true }).fill("Harbour Billing (no script)");
  await nojs.getByText("Advanced", { exact: true }).click();
  await nojs.getByLabel("TLS Port", { exact: true }).fill("abc");
  await nojs.getByRole("button", { name: "Save settings" }).click();
  await expect(nojs.getByLabel("TLS Port", { exact: true })).toHaveAccessibleDescription(
    /Enter a port number from 1 to 65535/,
  );
  await expect(
    nojs.getByRole("alert").filter({ hasText: "Some fields need attention; nothing was changed." }),
  ).toBeVisible();
  await expect(nojs.getByLabel("TLS Port", { exact: true })).toHaveValue("abc");
  await expect(nojs.getByLabel("From name", { exact: true })).toHaveValue("Harbour Billing (no script)");
  expect(settingsRow()).toEqual(before);

  await nojs.getByLabel("TLS Port", { exact: true }).fill("465");
  await nojs.getByLabel("Security", { exact: true }).selectOption("ssl");
  await nojs.getByRole("button", { name: "Save settings" }).click();
  await expect(nojs.getByText(/^Saved\. Changed: TLS Port, Security, From name\./)).toBeVisible();
  await openPart(nojs, "History");
  await expect(nojs.getByTestId("history-entry").first()).toContainText("Harbour Billing (no script)");
  expect(settingsRow()).toMatchObject({
    port: 465,
    security: "ssl",
    fromName: "Harbour Billing (no script)",
    version: before.version + 1,
  });
  // The saved password was kept (the Password field was left blank).
  expect(settingsRow()!.passwordCiphertext).toBe(before.passwordCiphertext);
  await context.close();
});

test("a session that is no longer valid on the Finance email page goes to sign-in and comes back", async ({ page }) => {
  await page.context().addCookies([{ name: "authjs.session-token", value: "expired-or-forged", url: app().baseURL }]);
  await page.goto("/settings/email");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings%2Femail$/);
  await submitSignInForm(page, "admin@harbour.example");
  await expect(page).toHaveURL(/\/settings\/email$/);
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
});
