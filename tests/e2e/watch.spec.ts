import { expect } from "@playwright/test";
import { ensureTestCa } from "../../stand-ins/test-ca";
import {
  DEFAULT_SMTP_PASSWORD,
  DEFAULT_SMTP_USER,
  startTestSmtpServer,
  type TestSmtpServer,
} from "../../stand-ins/smtp-test-server";
import { startWebhookReceiver, type WebhookReceiver } from "../../stand-ins/webhook-receiver";
import {
  captureServerAction,
  cookieHeader,
  count,
  fillCustomSettings,
  openPart,
  seedOrganisation,
  signIn,
  startApp,
  STRONG_PASSWORD,
  test,
  type TestApp,
} from "./support/app";

// The watch in a real browser against `npm start`: the in-process scheduler (SQLite) checks a real SMTP
// account every minute (ACCOUNT_CHECK_INTERVAL_MINUTES=1); when a Google password change revokes the app password,
// owners and admins see a banner on every page with "Fix it", get one email each through the system mailer, and the
// organisation's webhook gets a signed POST; entering a new password brings the recovery notice.
const ca = ensureTestCa();
let account: TestSmtpServer;
let systemMail: TestSmtpServer;
let hook: WebhookReceiver;
let app: TestApp;
let orgId: string;

test.beforeAll(async () => {
  [account, systemMail, hook] = await Promise.all([
    startTestSmtpServer(),
    startTestSmtpServer({ user: "alerts@fes.example", password: "system-mail-pass" }),
    startWebhookReceiver(),
  ]);
  app = await startApp({
    WORKER: "on",
    ACCOUNT_CHECK_INTERVAL_MINUTES: "1",
    SYSTEM_MAIL_URL: `smtp://alerts%40fes.example:system-mail-pass@localhost:${systemMail.starttlsPort}`,
    SYSTEM_MAIL_FROM: "alerts@fes.example",
    NODE_EXTRA_CA_CERTS: ca.caFile,
    SMTP_ALLOW_PRIVATE_NETWORKS: "true",
    SMTP_ALLOWED_PORTS: "25,465,587,2525,1024-65535",
    // The webhook receiver is on this machine, on a port of its own: webhooks have their own switches.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
    WEBHOOK_ALLOWED_PORTS: String(hook.port),
  });
  orgId = await seedOrganisation(app, "Riverside Clinic", [
    { email: "olive@riverside.example", name: "Olive Owner", role: "OWNER" },
    { email: "adam@riverside.example", name: "Adam Admin", role: "ADMIN" },
    { email: "mo@riverside.example", name: "Mo Member", role: "MEMBER" },
  ]);
});
test.afterAll(async () => {
  await app?.stop();
  await Promise.all([account?.close(), systemMail?.close(), hook?.close()]);
});

const status = () =>
  (app.sql.prepare(`SELECT status FROM "EmailSettings" WHERE "orgId" = ?`).get(orgId) as { status: string } | undefined)
    ?.status;
/** Squeezes the 2 minutes between a save and its check: the check is due now. */
const dueNow = () =>
  app.sql.prepare(`UPDATE "EmailSettings" SET "checkDueAt" = ? WHERE "orgId" = ?`).run(new Date().toISOString(), orgId);
const mailTo = (subject: RegExp) =>
  systemMail.messages
    .filter((m) => subject.test(m.subject))
    .flatMap((m) => m.envelopeTo)
    .sort();

test("a revoked app password: Failing within one period, the banner on every page, one email per owner and admin, a signed webhook; a new password recovers", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const base = app.baseURL;
  await signIn(page, "olive@riverside.example", STRONG_PASSWORD, app.baseURL);

  // Link the account and set the webhook, as an owner does.
  await page.goto(`${base}/settings/email`);
  await fillCustomSettings(page, {
    host: "localhost",
    port: String(account.starttlsPort),
    user: DEFAULT_SMTP_USER,
    password: DEFAULT_SMTP_PASSWORD,
  });
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText(/^Saved\. Changed:/)).toBeVisible();
  await openPart(page, "Alerts");
  const alerts = page.locator("#alerts");
  await alerts.getByLabel("Webhook URL").fill(hook.url);
  await alerts.getByRole("button", { name: "Set webhook" }).click();
  const secret = (await page.getByTestId("webhook-secret").textContent())!;
  expect(secret).toMatch(/^whsec_/);
  await expect(page.getByTestId("webhook-host")).toContainText(new URL(hook.url).host);

  dueNow();
  await expect.poll(status, { timeout: 20_000 }).toBe("WORKING");
  await page.reload();
  await expect(page.getByTestId("settings-status")).toHaveText("Working");
  await expect(page.getByTestId("check-share")).toHaveText("Last 30 days: 100% of 1 check passed.");

  // The Google password changes: the app password is revoked. Within one period (1 minute, plus the loop's tick).
  account.setRevoked(true);
  const revokedAt = Date.now();
  await expect.poll(status, { timeout: 80_000, intervals: [1000] }).toBe("FAILING");
  expect(Date.now() - revokedAt).toBeLessThan(75_000);

  for (const path of ["/", "/members", "/account", "/settings/email"]) {
    await page.goto(`${base}${path}`);
    const banner = page.getByTestId("failing-banner");
    await expect(banner).toContainText("Finance email is failing since");
    await expect(banner).toContainText("The user name or password was not accepted.");
  }
  await page.goto(`${base}/`);
  await page.getByRole("link", { name: "Fix it: Enter a new password" }).click();
  await expect(page).toHaveURL(`${base}/settings/email#field-password`);
  await expect(page.getByLabel("Password", { exact: true })).toBeInViewport();

  await expect
    .poll(() => mailTo(/^Action needed/), { timeout: 10_000 })
    .toEqual(["adam@riverside.example", "olive@riverside.example"]);
  const [failing] = await hook.waitFor(1);
  expect(failing.json).toMatchObject({
    event: "account.failing",
    organisation: { id: orgId, name: "Riverside Clinic" },
    diagnosis: { id: "bad-credentials" },
  });
  expect(failing.json.text).toEqual(
    expect.stringContaining("Action needed: finance email for Riverside Clinic cannot send"),
  );
  expect(hook.signedWith(failing, secret)).toBe(true);
  await openPart(page, "Alerts");
  await expect(page.getByTestId("alert-delivery")).toHaveCount(3);
  await expect(page.getByTestId("alert-delivery").first()).toContainText("Sent");
  await openPart(page, "Account");

  // A new app password, entered and saved: the check after the save finds it working, and everyone is told once.
  account.setRevoked(false);
  await page.getByLabel("Password", { exact: true }).fill(DEFAULT_SMTP_PASSWORD);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText(/^Saved\. Changed:/)).toBeVisible();
  dueNow();
  await expect.poll(status, { timeout: 20_000 }).toBe("WORKING");
  await expect
    .poll(() => mailTo(/works again/), { timeout: 10_000 })
    .toEqual(["adam@riverside.example", "olive@riverside.example"]);
  await hook.waitFor(2);
  expect(hook.received[1].json).toMatchObject({ event: "account.recovered" });
  expect(hook.signedWith(hook.received[1], secret)).toBe(true);
  await page.goto(`${base}/`);
  await expect(page.getByTestId("settings-status")).toHaveText("Working");
  await expect(page.getByTestId("failing-banner")).toHaveCount(0);
  expect(mailTo(/./)).toHaveLength(4);
});

test("a member sees no alert settings and cannot change them; turning off one's own alert emails changes only one's own", async ({
  browser,
}) => {
  const base = app.baseURL;
  const adminPage = await browser.newPage();
  const memberPage = await browser.newPage();
  await signIn(adminPage, "adam@riverside.example", STRONG_PASSWORD, app.baseURL);
  await signIn(memberPage, "mo@riverside.example", STRONG_PASSWORD, app.baseURL);
  await memberPage.goto(`${base}/settings/email`);
  await expect(memberPage.getByRole("heading", { name: "Alerts" })).toHaveCount(0);
  await expect(memberPage.getByRole("link", { name: "Alerts" })).toHaveCount(0);
  await memberPage.goto(`${base}/settings/email/alerts`);
  await expect(memberPage).toHaveURL(`${base}/?denied=1`);

  // The admin's reminder change, replayed with the member's session: refused, nothing changed.
  await adminPage.goto(`${base}/settings/email/alerts`);
  await adminPage.getByLabel("Remind").selectOption("72");
  const saveReminders = await captureServerAction(
    adminPage,
    () => adminPage.getByRole("button", { name: "Save reminders" }).click(),
    true,
  );
  const reminderHours = () =>
    (app.sql.prepare(`SELECT "alertReminderHours" AS h FROM "Organisation" WHERE id = ?`).get(orgId) as { h: number })
      .h;
  const refused = await fetch(saveReminders.url, {
    method: "POST",
    headers: {
      "next-action": saveReminders.headers["next-action"],
      "content-type": saveReminders.headers["content-type"],
      cookie: await cookieHeader(memberPage),
    },
    body: new Uint8Array(saveReminders.body),
  });
  expect(await refused.text()).toContain("Only owners and admins can do this");
  expect(reminderHours()).toBe(24);
  // The blocked request left the admin's form waiting: the admin saves it for real.
  await adminPage.reload();
  await adminPage.getByLabel("Remind").selectOption("72");
  await adminPage.getByRole("button", { name: "Save reminders" }).click();
  await expect(adminPage.getByText("Saved. While the account fails, reminders go out every 72 hours.")).toBeVisible();
  expect(reminderHours()).toBe(72);

  // Adam turns his own alert emails off: Olive's stay on.
  await adminPage.getByRole("button", { name: "Turn off my alert emails" }).click();
  await expect(adminPage.getByText("You will no longer get alert emails. The others still do.")).toBeVisible();
  const optedIn = (email: string) =>
    count(
      app,
      `SELECT m."alertEmails" AS n FROM "Membership" m JOIN "User" u ON u.id = m."userId" WHERE u.email = ?`,
      email,
    );
  expect(optedIn("adam@riverside.example")).toBe(0);
  expect(optedIn("olive@riverside.example")).toBe(1);
  await expect(adminPage.getByRole("list", { name: "Who gets alert emails" })).toContainText(
    "Adam Admin (you)adam@riverside.example· turned alert emails off",
  );
  await expect(adminPage.getByRole("button", { name: "Turn on my alert emails" })).toBeVisible();
  await adminPage.close();
  await memberPage.close();
});
