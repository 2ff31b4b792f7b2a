import { expect } from "@playwright/test";
import { count, openPart, query, seedEmailSettings, signIn, test, useFreshApp } from "./support/app";

// The organisation's time zone: taken from the owner's browser at setup, used for every time the server renders
// (with UTC in the tooltip), and changed on the Members page. The browser is in New York; the times shown are
// the server's text in the organisation's zone, so after the change to Tokyo they are Tokyo's in this same browser.
const app = useFreshApp();
test.describe.configure({ mode: "serial" });
test.use({ timezoneId: "America/New_York" });

// A settings save at a fixed moment: 15:05 UTC is 10:05 in New York and 00:05 the next day in Tokyo.
const SAVED_AT = "2026-12-03T15:05:00.000Z";

function printedSetupToken(): string {
  const match = /First run: open \/setup and enter this setup token: (\S+)/.exec(app().logs());
  expect(match, app().logs()).not.toBeNull();
  return match![1];
}

test("setup saves the browser's time zone, and the history shows times in it with UTC in the tooltip", async ({
  page,
}) => {
  await page.goto("/setup");
  await page.getByLabel("Setup token").fill(printedSetupToken());
  await page.getByLabel("Organisation name").fill("Hudson Dental");
  await page.getByLabel("Your name").fill("Nora Owner");
  await page.getByLabel("Email").fill("nora@hudson.example");
  await page.getByLabel("Password").fill("a long and private passphrase");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Hello, Nora" })).toBeVisible();

  const [org] = await query<{ id: string; timeZone: string }>(app(), `SELECT id, "timeZone" FROM "Organisation"`);
  expect(org.timeZone).toBe("America/New_York");

  await seedEmailSettings(app(), org.id, { status: "WORKING" });
  await query(
    app(),
    `INSERT INTO "AuditEvent" (id, "orgId", "actorEmail", action, details, "createdAt") VALUES (?, ?, ?, 'email_settings.saved', ?, ?)`,
    "evt_saved",
    org.id,
    "nora@hudson.example",
    JSON.stringify({ changes: { host: { from: "", to: "smtp.example.com" } } }),
    SAVED_AT,
  );
  expect(count(app(), `SELECT COUNT(*) AS n FROM "AuditEvent" WHERE id = 'evt_saved'`)).toBe(1);

  await page.goto("/settings/email");
  await openPart(page, "History");
  const saved = page.getByTestId("history-entry").locator("time");
  await expect(saved).toHaveText("3 Dec 2026, 10:05 GMT-5");
  await expect(saved).toHaveAttribute("title", "3 Dec 2026, 15:05 UTC");
  await expect(saved).toHaveAttribute("datetime", SAVED_AT);
});

test("an owner changes the time zone on the Members page, and every time shown moves to it", async ({ page }) => {
  await signIn(page, "nora@hudson.example", "a long and private passphrase");

  const activity = page.getByRole("listitem").filter({ hasText: "Saved the finance email settings" }).locator("time");
  await expect(activity).toHaveText("3 Dec 2026, 10:05 GMT-5");

  await page.goto("/members");
  const zone = page.getByLabel("Time zone");
  await expect(zone).toHaveValue("America/New_York");
  await expect(zone).toHaveAccessibleDescription("Times in the app and in alert emails use this zone.");
  await zone.selectOption("Asia/Tokyo");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Times are now shown in Asia/Tokyo." })).toBeVisible();
  await expect(zone).toHaveValue("Asia/Tokyo");
  expect(count(app(), `SELECT COUNT(*) AS n FROM "Organisation" WHERE "timeZone" = 'Asia/Tokyo'`)).toBe(1);

  await page.goto("/");
  await expect(activity).toHaveText("4 Dec 2026, 00:05 GMT+9");
  await expect(activity).toHaveAttribute("title", "3 Dec 2026, 15:05 UTC");
  await expect(page.getByText("Changed the time zone from America/New_York to Asia/Tokyo")).toBeVisible();

  await page.goto("/settings/email/history");
  const saved = page.getByTestId("history-entry").locator("time");
  await expect(saved).toHaveText("4 Dec 2026, 00:05 GMT+9");
  await expect(saved).toHaveAttribute("title", "3 Dec 2026, 15:05 UTC");
});
