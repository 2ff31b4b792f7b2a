import { expect } from "@playwright/test";
import { expectAccessible } from "./support/accessibility";
import {
  openEmailSettings,
  openPart,
  seedEmailSettings,
  seedOrganisation,
  signIn,
  test,
  useFreshApp,
} from "./support/app";

// The Finance email area in parts: Account, Deliverability, Alerts (owners and admins) and History, each a page of
// its own under one layout that shows the status once; old links to a section by its fragment still land there.
const app = useFreshApp();
let orgId: string;

test.beforeAll(async () => {
  orgId = await seedOrganisation(app(), "Linden Dental", [
    { email: "owner@linden.example", name: "Lena Owner", role: "OWNER" },
    { email: "member@linden.example", name: "Milo Member", role: "MEMBER" },
  ]);
});

test("before an account is saved there are no parts; Alerts says what it needs instead of showing the webhook", async ({
  page,
}) => {
  await openEmailSettings(page, "owner@linden.example");
  await expect(page.getByLabel("Provider", { exact: true })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Finance email" })).toHaveCount(0);
  await page.goto("/settings/email/alerts");
  await expect(
    page.getByText("Alerts about the account can be set up here once the finance email account is saved."),
  ).toBeVisible();
  await expect(page.getByLabel("Webhook URL")).toHaveCount(0);
  await page.getByRole("link", { name: "Set up the account" }).click();
  await expect(page).toHaveURL(/\/settings\/email$/);
});

test("once saved: each part is its own address with the status shown once, accessible, and old fragment links land on their part", async ({
  page,
}) => {
  await seedEmailSettings(app(), orgId, { status: "UNTESTED" });
  await openEmailSettings(page, "owner@linden.example");
  const parts = page.getByRole("navigation", { name: "Finance email" }).getByRole("link");
  await expect(parts).toHaveText(["Account", "Deliverability", "Alerts", "History"]);
  await expect(parts.filter({ hasText: "Account" })).toHaveAttribute("aria-current", "page");
  await expectAccessible(page);

  for (const [part, path, content] of [
    ["Deliverability", "/settings/email/deliverability", "#deliverability"],
    ["Alerts", "/settings/email/alerts", "#alerts"],
    ["History", "/settings/email/history", '[aria-label="Settings history"], :text("No changes yet")'],
  ] as const) {
    await openPart(page, part);
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page.getByTestId("settings-status")).toHaveCount(1);
    await expect(page.locator(content).first()).toBeVisible();
    await expectAccessible(page);
    // The part is in the address: opened afresh, it is the same part.
    await page.reload();
    await expect(parts.filter({ hasText: part })).toHaveAttribute("aria-current", "page");
  }

  for (const [fragment, path] of [
    ["#alerts", "/settings/email/alerts"],
    ["#deliverability", "/settings/email/deliverability"],
  ] as const) {
    await page.goto(`/settings/email${fragment}`);
    await expect(page).toHaveURL(new RegExp(`${path}$`));
  }
  // A field's fragment stays on Account, with the field in view.
  await page.goto("/settings/email#field-password");
  await expect(page).toHaveURL(/\/settings\/email#field-password$/);
  await expect(page.getByLabel("Password", { exact: true })).toBeInViewport();
});

test("on a 390 px phone every part shows its status and has no serious accessibility finding", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await openEmailSettings(page, "owner@linden.example");
  for (const path of ["", "/deliverability", "/alerts", "/history"]) {
    await page.goto(`/settings/email${path}`);
    await expect(page.getByTestId("settings-status")).toHaveCount(1);
    await expectAccessible(page);
  }
});

test("when DNS does not answer, Deliverability says each record could not be checked, never that one is missing", async ({
  page,
}) => {
  // This spec's app sends its lookups to a closed port on 127.0.0.1: no name server answers.
  await openEmailSettings(page, "owner@linden.example");
  await openPart(page, "Deliverability");
  await page.getByRole("button", { name: "Check now" }).click();
  // DKIM for an unknown provider needs a selector only the mail server's people know, whatever DNS does.
  for (const record of ["spf", "dmarc"]) {
    await expect(page.getByTestId(`check-${record}`).getByTestId("summary")).toContainText("could not be checked");
  }
  await expect(page.locator("#deliverability")).not.toContainText(/has no (SPF|DMARC) record|not found/i);
  await expect(page.locator('[data-testid="verdict"]').filter({ hasText: /^Fail/ })).toHaveCount(0);
});

test("a member sees Account, Deliverability and History, read-only, and no Alerts", async ({ page }) => {
  await signIn(page, "member@linden.example");
  await page.goto("/settings/email");
  await expect(page.getByRole("navigation", { name: "Finance email" }).getByRole("link")).toHaveText([
    "Account",
    "Deliverability",
    "History",
  ]);
  await expect(page.getByText("Only owners and admins can change these settings.")).toBeVisible();
});
