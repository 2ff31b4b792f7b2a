import { expect, type Browser, type Page } from "@playwright/test";
import { test } from "@playwright/test";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { ensureTestCa } from "../../stand-ins/test-ca";
import {
  attemptSignIn,
  createAppDatabase,
  query,
  saveSettings,
  seedOrganisation,
  startApp,
  STRONG_PASSWORD,
  type TestApp,
} from "./support/app";

// Two `next start` processes on one PostgreSQL database behave as one app: limits, locks and data are shared.
const ca = ensureTestCa();
let a: TestApp;
let b: TestApp;
let smtp: TestSmtpServer;
let database: Awaited<ReturnType<typeof createAppDatabase>>;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  smtp = await startTestSmtpServer();
  database = await createAppDatabase("postgresql");
  const env = {
    NODE_EXTRA_CA_CERTS: ca.caFile,
    SMTP_ALLOW_PRIVATE_NETWORKS: "true",
    SMTP_ALLOWED_PORTS: "25,465,587,2525,1024-65535",
  };
  [a, b] = await Promise.all([startApp(env, { shared: database }), startApp(env, { shared: database })]);
  await seedOrganisation(a, "Harbour Accounting", [
    { email: "owner@harbour.example", name: "Olive Owner", role: "OWNER" },
    { email: "admin@harbour.example", name: "Adam Admin", role: "ADMIN" },
    { email: "target@harbour.example", name: "Tara Target", role: "ADMIN" },
  ]);
});

test.afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await database?.drop();
  await smtp?.close();
});

async function pageOn(browser: Browser, app: TestApp, clientAddress = "198.51.100.1"): Promise<Page> {
  const context = await browser.newContext({
    baseURL: app.baseURL,
    extraHTTPHeaders: { "X-Forwarded-For": clientAddress },
  });
  return context.newPage();
}

async function signInOn(
  browser: Browser,
  app: TestApp,
  email: string,
  password = STRONG_PASSWORD,
  clientAddress?: string,
) {
  const page = await pageOn(browser, app, clientAddress);
  return { page, refused: await attemptSignIn(page, email, password) };
}

test("the sign-in throttle counts failures on both instances together, and a made-up X-Forwarded-For does not escape it", async ({
  browser,
}) => {
  // TRUSTED_PROXY_HOPS is 0 (the default): the socket's address counts, so these five "different" addresses are one.
  for (let i = 1; i <= 5; i++) {
    const { refused, page } = await signInOn(
      browser,
      i % 2 ? a : b,
      "target@harbour.example",
      `wrong ${i}`,
      `203.0.113.${i}`,
    );
    expect(refused).toMatch(/do not match/);
    await page.context().close();
  }
  const { refused, page } = await signInOn(browser, b, "target@harbour.example", STRONG_PASSWORD, "203.0.113.50");
  expect(refused).toMatch(/Too many failed sign-in attempts/);
  await page.context().close();
});

async function fillAndSave(page: Page) {
  const field = (label: string) => page.getByLabel(label, { exact: true });
  await page.goto("/settings/email");
  await field("Provider").selectOption("custom");
  await field("Server").fill("localhost");
  await field("TLS Port").fill(String(smtp.starttlsPort));
  await field("User").fill(smtp.user);
  await field("Password").fill(smtp.password);
  await field("From name").fill("Saved on A");
  await field("From address").fill("accounts@harbour.example");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");
}

test("a save on one instance is visible on the other at once", async ({ browser }) => {
  const onA = (await signInOn(browser, a, "owner@harbour.example")).page;
  await fillAndSave(onA);
  const onB = (await signInOn(browser, b, "admin@harbour.example")).page;
  await onB.goto("/settings/email");
  await expect(onB.getByLabel("From name", { exact: true })).toHaveValue("Saved on A");
  await expect(onB.getByTestId("password-saved-note")).toBeVisible();
  await onA.context().close();
  await onB.context().close();
});

/** The settings page on instance A and on instance B, each signed in as the given person. */
async function settingsOnBoth(browser: Browser, emailOnA: string, emailOnB: string): Promise<[Page, Page]> {
  const onA = (await signInOn(browser, a, emailOnA)).page;
  const onB = (await signInOn(browser, b, emailOnB)).page;
  await onA.goto("/settings/email");
  await onB.goto("/settings/email");
  return [onA, onB];
}

test("the lost-update check works across instances", async ({ browser }) => {
  const [onA, onB] = await settingsOnBoth(browser, "owner@harbour.example", "admin@harbour.example");
  await onA.getByLabel("From name", { exact: true }).fill("Olive's change");
  await onB.getByLabel("From name", { exact: true }).fill("Adam's change");
  await saveSettings(onA);
  await onB.getByRole("button", { name: "Save settings" }).click();
  await expect(onB.getByRole("alert").filter({ hasText: "Olive Owner changed these settings" })).toBeVisible();
  const [row] = await query<{ fromName: string }>(a, `SELECT "fromName" FROM "EmailSettings"`);
  expect(row.fromName).toBe("Olive's change");
  await onA.context().close();
  await onB.context().close();
});

test("the test-send rate limit counts runs on both instances together", async ({ browser }) => {
  const [onA, onB] = await settingsOnBoth(browser, "admin@harbour.example", "admin@harbour.example");
  for (let i = 0; i < 5; i++) {
    const page = i % 2 ? onB : onA;
    await page.getByRole("button", { name: "Check connection" }).click();
    await expect(page.getByRole("button", { name: "Check connection" })).toBeEnabled();
    await expect(page.getByTestId("test-result")).toContainText(/Connection works|You have run/);
    await expect(page.getByTestId("test-result")).toContainText("Connection works");
  }
  await onB.getByRole("button", { name: "Check connection" }).click();
  await expect(onB.getByTestId("test-result").getByRole("alert")).toContainText(/You have run 5 tests in a minute/);
  const [{ n }] = await query<{ n: string }>(a, `SELECT COUNT(*) AS n FROM "SmtpTestRun"`);
  expect(Number(n)).toBe(5);
  await onA.context().close();
  await onB.context().close();
});
