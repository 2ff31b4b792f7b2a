// A provider's own server name that the app's server cannot look up (smtp.gmail.com, filled in by the preset) is
// the app's side or a passing outage, never the person's typo. The app is started with hosts-preload.cjs making
// smtp.gmail.com a name that does not exist inside the app's process; nothing in the app is changed for this.
import path from "node:path";
import { expect } from "@playwright/test";
import { query, seedOrganisation, signIn, test, useFreshApp } from "./support/app";

const preload = path.resolve(__dirname, "support/hosts-preload.cjs");
const requirePreload = `--require ${/[\s"'\\]/.test(preload) ? JSON.stringify(preload) : preload}`;
const app = useFreshApp({
  NODE_OPTIONS: [process.env.NODE_OPTIONS, requirePreload].filter(Boolean).join(" "),
  TEST_HOSTS: "smtp.gmail.com=NXDOMAIN",
});
test.describe.configure({ mode: "serial" });

const OWNER = "owner@harbour.example";
let orgId: string;
test.beforeAll(async () => {
  orgId = await seedOrganisation(app(), "Harbour Accounting", [{ email: OWNER, name: "Olive Owner", role: "OWNER" }]);
});

test("the preset's server not found: the app says it could not reach Google, points at nothing in the form, and suggests no other name", async ({
  page,
}) => {
  await signIn(page, OWNER);
  await page.goto("/settings/email");
  await page.getByLabel("Provider", { exact: true }).selectOption("google-mail");
  await page.getByLabel("User", { exact: true }).fill("harbour.accounts@gmail.com");
  await page.getByLabel("Password", { exact: true }).fill("qwhz ktrm vbnx plsd");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  // It worked before (say, yesterday): a failure now is an incident, with the banner on every page.
  await query(
    app(),
    `UPDATE "EmailSettings" SET "workedAt" = ?, status = 'WORKING' WHERE "orgId" = ?`,
    new Date(Date.now() - 86_400_000).toISOString(),
    orgId,
  );

  await page.getByRole("button", { name: "Check connection" }).click();
  const diagnosis = page.getByTestId("diagnosis");
  await expect(diagnosis).toHaveAttribute("data-diagnosis", "provider-unreachable", { timeout: 20_000 });
  const result = page.getByTestId("test-result");
  await expect(result).toContainText("This app could not reach Google from its server");
  await expect(diagnosis).toContainText("these settings match Google's");
  await expect(diagnosis).toContainText("on the app's side, or a passing outage");
  await expect(diagnosis).toContainText("the app checks again by itself");
  await expect(diagnosis).toContainText("tell the people who run this app");
  // Nothing in the form is blamed: no typo suggestion, no one-click "fix", no field marked invalid.
  await expect(result).not.toContainText(/typo|Did you mean|Change Server/i);
  await expect(diagnosis.getByRole("button")).toHaveCount(0);
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
  await expect(page.getByTestId("advanced-server")).not.toHaveAttribute("open");

  // On other pages the banner says what happened, and its button explains rather than sending anyone to Server.
  await page.goto("/");
  const banner = page.getByTestId("failing-banner");
  await expect(banner).toContainText("This app could not reach Google from its server.");
  const button = banner.getByRole("link");
  await expect(button).toHaveText("What this means");
  await expect(button).not.toHaveAttribute("href", /#field-host/);
  await button.click();
  await expect(page).toHaveURL(/\/help\/troubleshooting#provider-unreachable$/);
  await expect(page.locator("#provider-unreachable")).toBeInViewport();
});
