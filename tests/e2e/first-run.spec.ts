import { expect, type Page } from "@playwright/test";
import { captureServerAction, count, replayServerAction, signIn, startApp, test, useFreshApp } from "./support/app";

const app = useFreshApp();
test.describe.configure({ mode: "serial" });

const PRINTED_TOKEN = /First run: open \/setup and enter this setup token: (\S+)/;

/** The token the server printed at start-up (a hosted deployment: NODE_ENV=production with real configuration). */
function printedSetupToken(): string {
  const match = PRINTED_TOKEN.exec(app().logs());
  expect(match, app().logs()).not.toBeNull();
  return match![1];
}

test("with no user yet, every page leads to /setup, and bad input is refused next to its field", async ({ page }) => {
  for (const path of ["/", "/members", "/settings/email", "/sign-in"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/setup$/);
  }
  await page.getByLabel("Setup token").fill(printedSetupToken());
  await page.getByLabel("Organisation name").fill("Riverside Physio");
  await page.getByLabel("Your name").fill("Ana Owner");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/valid email address/);
  await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/at least 12 characters/);
  await expect(page.getByLabel("Organisation name")).toHaveValue("Riverside Physio");
  expect(count(app(), `SELECT COUNT(*) AS n FROM "User"`)).toBe(0);

  await page.getByLabel("Email").fill("ana@riverside.example");
  await page.getByLabel("Password").fill("password1234");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/too common/);
  expect(count(app(), `SELECT COUNT(*) AS n FROM "User"`)).toBe(0);
});

test("a refused setup sent from the keyboard puts focus on the field that failed, keeping what was typed", async ({
  page,
}) => {
  await page.goto("/setup");
  await expect(page.getByLabel("Setup token")).toBeFocused();
  for (const text of [printedSetupToken(), "Riverside Physio", "Ana Owner", "ana@riverside.example", "short"]) {
    await page.keyboard.type(text);
    await page.keyboard.press("Tab");
  }
  await expect(page.getByRole("button", { name: "Create account" })).toBeFocused();
  await page.keyboard.press("Enter");
  const password = page.getByLabel("Password");
  await expect(password).toHaveAccessibleDescription(/Use at least 12 characters/);
  await expect(password).toBeFocused();
  await expect(password).toHaveValue("");
  await expect(page.getByLabel("Email")).toHaveValue("ana@riverside.example");
  await expect(page.getByLabel("Organisation name")).toHaveValue("Riverside Physio");
  expect(count(app(), `SELECT COUNT(*) AS n FROM "User"`)).toBe(0);
});

test("a hosted first run needs the setup token from the server's log: none or a wrong one is refused, nothing created", async ({
  page,
}) => {
  await page.goto("/setup");
  await page.getByLabel("Organisation name").fill("Stranger Ltd");
  await page.getByLabel("Your name").fill("Eve Stranger");
  await page.getByLabel("Email").fill("eve@stranger.example");
  for (const token of ["", "0000-0000-0000-0000"]) {
    await page.getByLabel("Password").fill("a long and private passphrase");
    await page.getByLabel("Setup token").fill(token);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByLabel("Setup token")).toHaveAccessibleDescription(/The setup token does not match/);
    await expect(page.getByLabel("Organisation name")).toHaveValue("Stranger Ltd");
    expect(count(app(), `SELECT COUNT(*) AS n FROM "User"`)).toBe(0);
  }
});

test("setup creates the organisation and owner, signs them in, and then closes for good", async ({ page, browser }) => {
  await page.goto("/setup");
  await page.getByLabel("Setup token").fill(printedSetupToken());
  await page.getByLabel("Organisation name").fill("Riverside Physio");
  await page.getByLabel("Your name").fill("Ana Owner");
  await page.getByLabel("Email").fill("Ana@Riverside.example");
  await page.getByLabel("Password").fill("a long and private passphrase");
  const setupPost = await captureServerAction(page, () => page.getByRole("button", { name: "Create account" }).click());
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("org-name")).toHaveText("Riverside Physio");
  await expect(page.getByRole("heading", { name: "Hello, Ana" })).toBeVisible();

  const row = app()
    .sql.prepare(`SELECT u.email, m.role FROM "User" u JOIN "Membership" m ON m.userId = u.id`)
    .get() as { email: string; role: string };
  expect(row).toEqual({ email: "ana@riverside.example", role: "OWNER" });

  const anonymous = await browser.newPage({ baseURL: app().baseURL });
  await anonymous.goto("/setup");
  await expect(anonymous).toHaveURL(/\/sign-in$/);
  await anonymous.close();

  // Posting the setup action directly again, for another organisation, is refused.
  const replay = await replayServerAction(setupPost, {
    replace: [
      ["Riverside Physio", "Intruder Ltd"],
      ["Ana@Riverside.example", "eve@intruder.example"],
    ],
  });
  expect(replay.text).toContain("Setup has already been completed");
  expect(count(app(), `SELECT COUNT(*) AS n FROM "User"`)).toBe(1);
  expect(count(app(), `SELECT COUNT(*) AS n FROM "Organisation"`)).toBe(1);
});

test("unknown routes get a proper 404 page and /api/health says only the version and the database state", async ({
  page,
  request,
}) => {
  await signIn(page, "ana@riverside.example", "a long and private passphrase");
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  const body = (await health.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["database", "version"]);
  expect(body.database).toBe("ok");
});

test("the embedded default (no configuration): a browser on this machine needs no token, any other client the printed one", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  // As behind `docker run -p 3000:3000`, the client is not this machine: here a trusted proxy says so.
  const embedded = await startApp({ TRUSTED_PROXY_HOPS: "1" }, { embedded: true });
  try {
    await expect.poll(() => PRINTED_TOKEN.exec(embedded.logs())?.[1]).toBeTruthy();
    const fill = async (page: Page, email: string) => {
      await page.getByLabel("Organisation name").fill("Harbour Physio");
      await page.getByLabel("Your name").fill("Hana Owner");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("a long and private passphrase");
    };

    const elsewhere = await browser.newContext({
      baseURL: embedded.baseURL,
      extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.7" },
    });
    const stranger = await elsewhere.newPage();
    await stranger.goto("/setup");
    await fill(stranger, "eve@stranger.example");
    await stranger.getByLabel("Setup token").fill("0000-0000-0000-0000");
    await stranger.getByRole("button", { name: "Create account" }).click();
    await expect(stranger.getByLabel("Setup token")).toHaveAccessibleDescription(/The setup token does not match/);
    expect(count(embedded, `SELECT COUNT(*) AS n FROM "User"`)).toBe(0);
    await elsewhere.close();

    const here = await browser.newContext({ baseURL: embedded.baseURL });
    const owner = await here.newPage();
    await owner.goto("/setup");
    await expect(owner.getByLabel("Organisation name")).toBeVisible();
    await expect(owner.getByLabel("Setup token")).toHaveCount(0);
    await fill(owner, "hana@harbour.example");
    await owner.getByRole("button", { name: "Create account" }).click();
    await expect(owner.getByTestId("org-name")).toHaveText("Harbour Physio");
    expect(count(embedded, `SELECT COUNT(*) AS n FROM "User"`)).toBe(1);
    await here.close();
  } finally {
    await embedded.stop();
  }
});
