import { expect, type Page } from "@playwright/test";
import {
  fillCustomSettings,
  openEmailSettings,
  openPart,
  seedEmailSettings,
  seedOrganisation,
  test,
  useFreshApp,
} from "./support/app";

// The hosted default: SMTP_ALLOW_PRIVATE_NETWORKS is not set, so the test-send cannot reach this machine's network.
const app = useFreshApp();

/** The owner's Finance email form for an "Other SMTP server", filled with a mailbox's sign-in and these values. */
async function openCustomSettingsForm(page: Page, values: Parameters<typeof fillCustomSettings>[1]) {
  await openEmailSettings(page, "owner@harbour.example");
  await fillCustomSettings(page, { user: "finance@harbour.example", password: "anything-at-all", ...values });
}

test("with the network guard on, 127.0.0.1 and names that resolve to it are refused before connecting", async ({
  page,
}) => {
  await seedOrganisation(app(), "Harbour Accounting", [
    { email: "owner@harbour.example", name: "Olive Owner", role: "OWNER" },
  ]);
  await openCustomSettingsForm(page, { port: "587", fromAddress: "finance@harbour.example" });
  for (const host of ["127.0.0.1", "localhost"]) {
    await page.getByLabel("Server", { exact: true }).fill(host);
    await page.getByRole("button", { name: "Check connection" }).click();
    const diagnosis = page.getByTestId("diagnosis");
    await expect(diagnosis).toHaveAttribute("data-diagnosis", "blocked-address");
    await expect(diagnosis).toContainText("only connects to public mail servers");
    await expect(page.locator('[data-step="lookup"]')).toHaveAttribute("data-status", "failed");
    await expect(page.locator('[data-step="connect"]')).toHaveAttribute("data-status", "skipped");
  }
});

test("with the default mail ports, a test or save on another port is refused at TLS Port, naming the allowed ones", async ({
  page,
}) => {
  await openCustomSettingsForm(page, { host: "smtp.example.com", port: "8080" });
  const message = "Use a mail port: 25, 465, 587 or 2525. Other ports are not allowed here.";
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByLabel("TLS Port", { exact: true })).toHaveAccessibleDescription(
    /Use a mail port: 25, 465, 587 or 2525\. Other ports are not allowed here\./,
  );
  await expect(page.locator('[data-step="lookup"]')).toHaveCount(0);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator("#settings-form-message").getByRole("alert")).toHaveText(message);
});

test("an alert webhook on a private address or another port than 443 is refused when set, next to its field, keeping what was typed; nothing is saved", async ({
  page,
}) => {
  // Alerts are there once an account is saved.
  const { id: orgId } = app().sql.prepare(`SELECT id FROM "Organisation" WHERE name = ?`).get("Harbour Accounting") as {
    id: string;
  };
  await seedEmailSettings(app(), orgId, { status: "UNTESTED" });
  await openEmailSettings(page, "owner@harbour.example");
  await openPart(page, "Alerts");
  const field = page.getByLabel("Webhook URL");
  for (const [url, problem] of [
    ["https://localhost/hooks/finance", /points to a private or internal address/],
    ["https://169.254.169.254/latest", /points to a private or internal address/],
    ["https://localhost:8443/hooks/finance", /Use an address on port 443: webhooks may not use other ports here\./],
    ["http://hooks.example.com/plain-http", /Enter an https:\/\/ URL/],
  ] as const) {
    await field.fill(url);
    await page.getByRole("button", { name: "Set webhook" }).click();
    await expect(field).toHaveAccessibleDescription(problem);
    await expect(field).toHaveValue(url);
  }
  await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
  // This app has no system mailer: the Alerts part says email alerts need the people who run it to set one up,
  // naming no variable except in the part marked for whoever runs the app.
  const missing = page.getByTestId("system-mail-missing");
  await expect(missing).toContainText(
    "Email alerts need system mail, which the people who run this app set up. Until then alerts show on these pages",
  );
  await expect(missing).not.toContainText("your administrator");
  const saved = app()
    .sql.prepare(`SELECT count(*) AS n FROM "Organisation" WHERE "webhookUrlCiphertext" IS NOT NULL`)
    .get() as { n: number };
  expect(saved.n).toBe(0);
});
