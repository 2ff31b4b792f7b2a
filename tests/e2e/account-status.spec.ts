import { expect } from "@playwright/test";
import { seedEmailSettings, seedOrganisation, signIn, test, useFreshApp } from "./support/app";

// The status says when the scheduled check last logged in to the account.
const app = useFreshApp();

test("Working · checked 2 hours ago, on the dashboard and the Finance email page", async ({ page }) => {
  const orgId = await seedOrganisation(app(), "Checked Clinic", [
    { email: "owner@checked.example", name: "Olive Owner", role: "OWNER" },
  ]);
  await seedEmailSettings(app(), orgId, {
    status: "WORKING",
    lastCheckAt: new Date(Date.now() - 2 * 3_600_000 - 5 * 60_000),
  });
  await signIn(page, "owner@checked.example");
  for (const path of ["/", "/settings/email"]) {
    await page.goto(path);
    await expect(page.getByTestId("settings-status")).toHaveText("Working");
    await expect(page.getByTestId("last-check")).toHaveText("· checked 2 hours ago");
  }
});
