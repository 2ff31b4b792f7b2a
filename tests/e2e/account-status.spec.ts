import { expect } from "@playwright/test";
import { query, seedOrganisation, signIn, test, useFreshApp } from "./support/app";

// The status says when the scheduled check last logged in to the account (issue 13, part).
const app = useFreshApp();

test("Working · checked 2 hours ago, on the dashboard and the Finance email page", async ({ page }) => {
  const orgId = await seedOrganisation(app(), "Checked Clinic", [{ email: "owner@checked.example", name: "Olive Owner", role: "OWNER" }]);
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000 - 5 * 60_000).toISOString();
  await query(
    app(),
    `INSERT INTO "EmailSettings" (id, "orgId", provider, host, port, security, username, "fromName", "fromAddress", "updatedAt", status, "lastCheckAt") VALUES (?, ?, 'custom', 'smtp.example.com', 587, 'starttls', 'billing@example.com', '', 'billing@example.com', ?, 'WORKING', ?)`,
    `set_${orgId}`,
    orgId,
    new Date().toISOString(),
    twoHoursAgo,
  );
  await signIn(page, "owner@checked.example");
  for (const path of ["/", "/settings/email"]) {
    await page.goto(path);
    await expect(page.getByTestId("settings-status")).toHaveText("Working");
    await expect(page.getByTestId("last-check")).toHaveText("· checked 2 hours ago");
  }
});
