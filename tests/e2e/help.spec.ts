import { TROUBLESHOOTING } from "../../lib/help/troubleshooting";
import { expect } from "@playwright/test";
import { expectAccessible } from "./support/accessibility";
import { openAdvanced, seedOrganisation, signIn, test, useFreshApp } from "./support/app";

const app = useFreshApp();

test.beforeAll(async () => {
  await seedOrganisation(app(), "Riverside Physio", [
    { email: "ana@riverside.example", name: "Ana Admin", role: "ADMIN" },
  ]);
});

test("the Google Mail guide carries every fact of the original guide", async ({ page }) => {
  await page.goto("/help/google-mail-smtp");
  const text = (await page.locator("article").innerText()).replace(/\s+/g, " ");
  expect(text).toContain("2-Step Verification must be set up and turned on");
  for (const label of ["Server", "TLS Port", "User", "Password"]) {
    await expect(page.getByRole("rowheader", { name: label, exact: true })).toBeVisible();
  }
  expect(text).toContain("smtp.gmail.com");
  await expect(page.getByTestId("gmail-ports")).toContainText("587 (recommended)");
  await expect(page.getByTestId("gmail-ports")).toContainText("465");
  expect(text).toContain("Your email address");
  expect(text).toMatch(/app password.*not your usual Google password/);
  for (const step of [
    "Security",
    "Signing in to Google",
    "App passwords",
    "Other (custom name)",
    "Generate",
    "16-character code in the yellow bar",
  ]) {
    expect(text).toContain(step);
  }
  const reasons = page.getByTestId("missing-reasons").getByRole("listitem");
  await expect(reasons).toHaveText([
    /2-Step Verification is not set up/,
    /only set up for security keys/,
    /work, school, or another organisation/,
    /Advanced Protection/,
  ]);
  expect(text).toContain("App passwords are revoked when you change your Google Account password");
  await expect(page.getByText(/Last reviewed/)).toBeVisible();
  // Beside the seed's steps, the way Google shows it today: a direct link, one App name box and Create.
  const today = page.getByTestId("app-password-today");
  await expect(today.getByRole("link", { name: "myaccount.google.com/apppasswords" })).toHaveAttribute(
    "href",
    "https://myaccount.google.com/apppasswords",
  );
  await expect(today).toContainText("Type a name in the one App name box");
  await expect(today).toContainText("select Create");
  expect(text).toContain("Google no longer links it from the Security page for every account: open");
  // Our own illustrations, each with alt text; no image is loaded from anywhere.
  const figures = page.locator("figure [role=img]");
  expect(await figures.count()).toBeGreaterThanOrEqual(5);
  for (const label of await figures.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""))) {
    expect(label.length).toBeGreaterThan(20);
  }
  await expect(page.locator("img")).toHaveCount(0);
});

test("search on /help filters the guides as you type", async ({ page }) => {
  await page.goto("/help");
  const guides = page.getByRole("list", { name: "Guides" }).getByRole("link");
  const all = await guides.count();
  expect(all).toBeGreaterThan(10);
  await page.getByLabel("Search the guides").fill("app password");
  await expect(guides.first()).toContainText("Google Mail");
  expect(await guides.count()).toBeLessThan(all);
  await page.getByLabel("Search the guides").fill("zzzz-nothing");
  await expect(page.getByText(/No guide matches/)).toBeVisible();
});

test("help pages print without navigation", async ({ page }) => {
  await page.goto("/help/google-mail-smtp");
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("link", { name: "Go to Finance email settings" }).first()).toBeHidden();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
});

test("every link from the help pages, the form and a test-send failure resolves, anchors included", async ({
  page,
  request,
}) => {
  // It opens every help page and every anchor's page: dozens of page loads, longer than one page's test.
  test.setTimeout(150_000);
  const hrefs = new Set<string>();
  const collect = async () => {
    for (const href of await page.locator("a[href^='/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")!)))
      hrefs.add(href);
  };
  await page.goto("/help");
  await collect();
  for (const href of [...hrefs].filter((h) => h.startsWith("/help/"))) {
    await page.goto(href);
    await collect();
  }
  await signIn(page, "ana@riverside.example");
  await page.goto("/settings/email");
  for (const provider of ["google-mail", "microsoft-365", "custom"]) {
    await page.getByLabel("Provider", { exact: true }).selectOption(provider);
    // This app has no Microsoft sign-in app configured: the page says so, who can turn it on, and the risk of the
    // password path first.
    if (provider === "microsoft-365") {
      const notice = page.getByTestId("mailbox-sign-in");
      await expect(notice).toContainText("Signing in with Microsoft is not set up in this app");
      await expect(notice.getByTestId("microsoft-password-deadline")).toHaveText(
        /^Microsoft turns password SMTP off by default at the end of December 2026( \(in \d+ days\))?\. A password entered here may work until then, and then stop\.$/,
      );
      await expect(notice.getByTestId("support-contact")).toHaveText("Ask them: contact the people who run this app.");
      await expect(notice).not.toContainText("administrator");
    }
    await collect();
  }
  // A failure's troubleshooting link (a refused private address fails at once, without network).
  await openAdvanced(page);
  await page.getByLabel("Server", { exact: true }).fill("127.0.0.1");
  await page.getByLabel("User", { exact: true }).fill("ana@riverside.example");
  await page.getByLabel("Password", { exact: true }).fill("some-password");
  await page.getByLabel("From address", { exact: true }).fill("ana@riverside.example");
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByTestId("diagnosis")).toBeVisible();
  await collect();

  // Every diagnosis's troubleshooting section (5.7.26 and 5.7.515 among them), as test results link to them.
  for (const id of Object.keys(TROUBLESHOOTING)) hrefs.add(`/help/troubleshooting#${id}`);

  expect(hrefs.size).toBeGreaterThan(20);
  const checked: string[] = [];
  for (const href of [...hrefs].sort()) {
    const [pathPart, anchor] = href.split("#");
    const res = await request.get(pathPart, { maxRedirects: 0 });
    expect([200, 307], `${href} answered ${res.status()}`).toContain(res.status());
    if (anchor) {
      await page.goto(pathPart);
      expect(await page.locator(`[id="${anchor}"]`).count(), `${href}: no element with id ${anchor}`).toBe(1);
    }
    checked.push(href);
  }
  expect(checked).toContain("/help/troubleshooting#blocked-address");
  expect(checked).toContain("/help/google-mail-smtp#app-password");
  expect(checked).toContain("/help/alerts");
  expect(checked).toContain("/help/troubleshooting#gmail-unauthenticated");
  expect(checked).toContain("/help/troubleshooting#outlook-unauthenticated");
  expect(checked).toContain("/settings/email/alerts");
});

test("no serious accessibility problems on help, sign-in, the Finance email page, Members and Your account", async ({
  page,
}) => {
  for (const path of ["/help", "/help/google-mail-smtp", "/help/troubleshooting", "/help/alerts", "/sign-in"]) {
    await page.goto(path);
    await expectAccessible(page);
  }
  await signIn(page, "ana@riverside.example");
  for (const path of ["/members", "/account"]) {
    await page.goto(path);
    await expectAccessible(page);
  }
  await page.goto("/settings/email");
  await page.getByLabel("Provider", { exact: true }).selectOption("google-mail");
  await expectAccessible(page);
});

test("Microsoft guides lead with signing in; Outlook.com offers no password; the operators' page says how to register the apps", async ({
  page,
}) => {
  await page.goto("/help/microsoft-365-smtp");
  const sections = await page.locator("section[id]").evaluateAll((all) => all.map((s) => s.id));
  expect(sections.indexOf("sign-in")).toBeLessThan(sections.indexOf("password"));
  await expect(
    page.getByRole("img", { name: /permission screen: the app asks to Send mail as you \(SMTP\.Send\)/ }),
  ).toBeVisible();
  await expect(page.locator("#password")).toContainText("end of December 2026");

  await page.goto("/help/outlook-com-smtp");
  await expect(page.locator("#password")).toContainText("no longer accepts passwords");
  await expect(page.locator("#sign-in")).toContainText("Connect with Microsoft");

  await page.goto("/help/google-mail-smtp#sign-in");
  await expect(page.locator("#sign-in")).toContainText("Which to choose?");

  await page.goto("/help/operators/oauth-apps");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(
    "Sign-in apps for Microsoft and Google (for operators)",
  );
  await expect(page.locator("#microsoft")).toContainText("/api/oauth/microsoft/callback");
  await expect(page.locator("#microsoft")).toContainText("SMTP.Send");
  await expect(page.locator("#microsoft")).toContainText("24 months");
  await expect(page.locator("#google")).toContainText("restricted");
  await expectAccessible(page);
});
