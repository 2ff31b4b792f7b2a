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

test("an account that never worked is amber, Not working yet: finish setup, with no red banner on other pages; one that worked and stopped is Failing everywhere", async ({
  page,
}) => {
  const error = "The user name or password was not accepted";
  const newOrg = await seedOrganisation(app(), "New Clinic", [
    { email: "owner@new-clinic.example", name: "Nia Owner", role: "OWNER" },
  ]);
  await seedEmailSettings(app(), newOrg, { status: "FAILING", lastTestError: error });
  await signIn(page, "owner@new-clinic.example");
  await page.goto("/");
  await expect(page.getByTestId("settings-status")).toHaveText("Not working yet: finish setup");
  await expect(page.getByRole("region", { name: /Status/ })).toHaveClass(/amber/);
  await expect(page.getByTestId("finance-email-summary")).toHaveText(
    `billing@example.com does not work yet: ${error}.`,
  );
  await expect(page.getByRole("link", { name: "Finish setup" })).toHaveAttribute("href", "/settings/email");
  for (const path of ["/", "/members", "/account", "/settings/email"]) {
    await page.goto(path);
    await expect(page.getByTestId("failing-banner")).toHaveCount(0);
  }
  await expect(page.getByTestId("settings-status")).toHaveText("Not working yet: finish setup");

  const oldOrg = await seedOrganisation(app(), "Old Clinic", [
    { email: "owner@old-clinic.example", name: "Otto Owner", role: "OWNER" },
  ]);
  await seedEmailSettings(app(), oldOrg, {
    status: "FAILING",
    lastTestError: error,
    workedAt: new Date(Date.now() - 86_400_000),
  });
  await page.context().clearCookies();
  await signIn(page, "owner@old-clinic.example");
  await page.goto("/members");
  await expect(page.getByTestId("failing-banner")).toContainText("Finance email is failing since");
  await page.goto("/");
  await expect(page.getByTestId("settings-status")).toHaveText("Failing");
  await expect(page.getByTestId("finance-email-summary")).toContainText("Invoices and receipts are not going out.");
});
