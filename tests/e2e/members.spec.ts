import { expect } from "@playwright/test";
import {
  captureServerAction,
  cookieHeader,
  count,
  replayServerAction,
  seedOrganisation,
  signIn,
  test,
  useFreshApp,
} from "./support/app";
import { expectAccessible } from "./support/accessibility";
import { confirmInDialog, failOnBrowserDialogs } from "./support/confirm";

const app = useFreshApp();
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  await seedOrganisation(app(), "Northside Clinic", [
    { email: "owner@northside.example", name: "Nora Owner", role: "OWNER" },
    { email: "admin@northside.example", name: "Adam Admin", role: "ADMIN" },
    { email: "member@northside.example", name: "Mia Member", role: "MEMBER" },
    { email: "rita@northside.example", name: "Rita Reset", role: "MEMBER" },
  ]);
  await seedOrganisation(app(), "Other Org", [{ email: "owner@other.example", name: "Otto Other", role: "OWNER" }]);
});

test("an admin adds a member, who signs in with the one-time password and must choose their own", async ({
  page,
  browser,
}) => {
  await signIn(page, "admin@northside.example");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Nina New");
  await page.getByLabel("Email", { exact: true }).fill("nina@northside.example");
  await page.getByLabel("Role", { exact: true }).selectOption("MEMBER");
  await page.getByRole("button", { name: "Add member" }).click();
  const temp = (await page.getByTestId("temporary-password").textContent())!.trim();
  expect(temp).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
  await expect(page.getByTestId("member-row").filter({ hasText: "nina@northside.example" })).toContainText(
    "temporary password",
  );
  // An admin may not create owners: the choice is not offered.
  await expect(page.getByLabel("Role", { exact: true }).locator("option")).toHaveText(["Admin", "Member"]);

  const nina = await browser.newContext({ baseURL: app().baseURL });
  const ninaPage = await nina.newPage();
  await ninaPage.goto("/sign-in");
  await ninaPage.getByLabel("Email", { exact: true }).fill("nina@northside.example");
  await ninaPage.getByLabel("Password").fill(temp);
  await ninaPage.getByRole("button", { name: "Sign in" }).click();
  await expect(ninaPage).toHaveURL(/\/change-password$/);
  await ninaPage.goto("/settings/email");
  await expect(ninaPage).toHaveURL(/\/change-password$/);
  await ninaPage.getByLabel("Temporary password").fill(temp);
  await ninaPage.getByLabel("New password", { exact: true }).fill("nina's own finance phrase");
  await ninaPage.getByLabel("Repeat new password").fill("nina's own finance phrase");
  await ninaPage.getByRole("button", { name: "Change password" }).click();
  await expect(ninaPage.getByText("Your password has been changed.")).toBeVisible();
  expect(
    count(
      app(),
      `SELECT COUNT(*) AS n FROM "User" WHERE email = ? AND mustChangePassword = 0`,
      "nina@northside.example",
    ),
  ).toBe(1);
  await nina.close();
});

test("the owner changes a role and removes a member; the last owner cannot be demoted", async ({ page }) => {
  await signIn(page, "owner@northside.example");
  await page.goto("/members");
  const nina = page.getByTestId("member-row").filter({ hasText: "nina@northside.example" });
  await nina.getByRole("combobox", { name: "Role for nina@northside.example" }).selectOption("ADMIN");
  await nina.getByRole("button", { name: "Change role for nina@northside.example" }).click();
  await expect.poll(() => roleOf("nina@northside.example")).toBe("ADMIN");

  await confirmInDialog(nina.getByRole("button", { name: "Remove nina@northside.example" }), {
    question: "Remove nina@northside.example?",
    confirm: "Remove member",
  });
  await expect(page.getByTestId("member-row").filter({ hasText: "nina@northside.example" })).toHaveCount(0);
  expect(count(app(), `SELECT COUNT(*) AS n FROM "User" WHERE email = ?`, "nina@northside.example")).toBe(0);

  // The only owner is shown without role controls or a remove button.
  const owner = page.getByTestId("member-row").filter({ hasText: "owner@northside.example" });
  await expect(owner.getByRole("combobox")).toHaveCount(0);
  await expect(owner.getByRole("button", { name: /Remove/ })).toHaveCount(0);
  // Audit trail on the dashboard.
  await page.goto("/");
  await expect(page.getByText("Removed nina@northside.example")).toBeVisible();
  await expect(page.getByText("Changed nina@northside.example from Member to Admin")).toBeVisible();
});

test("Remove and Reset password ask in the app's dialog; Cancel and Escape change nothing and give focus back", async ({
  page,
}) => {
  failOnBrowserDialogs(page);
  await signIn(page, "admin@northside.example");
  await page.goto("/members");
  const rita = page.getByTestId("member-row").filter({ hasText: "rita@northside.example" });
  // Still a member, with the same password, not waiting for a new one.
  const hash = passwordHashOf("rita@northside.example");
  const unchanged = () =>
    count(
      app(),
      `SELECT COUNT(*) AS n FROM "User" u JOIN "Membership" m ON m.userId = u.id
       WHERE u.email = ? AND u.passwordHash = ? AND u.mustChangePassword = 0`,
      "rita@northside.example",
      hash,
    );
  expect(unchanged()).toBe(1);

  for (const { opener, question, confirm, says } of [
    {
      opener: "Remove rita@northside.example",
      question: "Remove rita@northside.example?",
      confirm: "Remove member",
      says: "They will lose access at once.",
    },
    {
      opener: "Reset password for rita@northside.example",
      question: "Reset the password of rita@northside.example?",
      confirm: "Reset password",
      says: "They are signed out everywhere at once",
    },
  ]) {
    const button = rita.getByRole("button", { name: opener });
    const dialog = page.getByRole("dialog", { name: question });

    await button.click();
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAccessibleDescription(new RegExp(`^${says}`));
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await expect(dialog.getByRole("button", { name: confirm, exact: true })).toBeVisible();
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(button).toBeFocused();
    expect(unchanged()).toBe(1);

    await page.keyboard.press("Enter");
    await expect(dialog).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(button).toBeFocused();
    expect(unchanged()).toBe(1);
  }
  await page.reload();
  await expect(rita).toHaveCount(1);
  expect(unchanged()).toBe(1);
});

test("with the keyboard alone an admin resets a member's password, seen in that member's row, then removes them", async ({
  page,
}) => {
  failOnBrowserDialogs(page);
  await signIn(page, "admin@northside.example");
  await page.goto("/members");
  const rita = page.getByTestId("member-row").filter({ hasText: "rita@northside.example" });

  // The reset's request is held until its pending label has been seen.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/members", async (route) => {
    if (route.request().method() === "POST") await held;
    await route.continue();
  });
  await rita.getByRole("button", { name: "Reset password for rita@northside.example" }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Reset the password of rita@northside.example?" });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Reset password", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(rita.getByRole("button", { name: "Reset password for rita@northside.example" })).toHaveText(
    "Resetting…",
  );
  release();
  await expect(rita.getByTestId("temporary-password")).toBeVisible();
  await page.unroute("**/members");
  await expect(rita.getByRole("status")).toContainText("Give it to rita@northside.example");
  await expect(page.getByTestId("temporary-password")).toHaveCount(1);
  expect(
    count(
      app(),
      `SELECT COUNT(*) AS n FROM "User" WHERE email = ? AND mustChangePassword = 1`,
      "rita@northside.example",
    ),
  ).toBe(1);

  await rita.getByRole("button", { name: "Remove rita@northside.example" }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByRole("dialog", { name: "Remove rita@northside.example?" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Remove member", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(rita).toHaveCount(0);
  expect(count(app(), `SELECT COUNT(*) AS n FROM "User" WHERE email = ?`, "rita@northside.example")).toBe(0);
});

test("a member cannot open Members management", async ({ page }) => {
  await signIn(page, "member@northside.example");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" })).toHaveCount(0);
  await page.goto("/members");
  await expect(page).toHaveURL(/\/\?denied=1$/);
  await expect(page.getByRole("alert").filter({ hasText: "for owners and admins" })).toBeVisible();
});

test("server actions posted directly without a session, or by a member, change nothing", async ({ page, browser }) => {
  await signIn(page, "admin@northside.example");
  await page.goto("/members");
  await page.getByLabel("Name", { exact: true }).fill("Eve Intruder");
  await page.getByLabel("Email", { exact: true }).fill("eve@northside.example");
  await page.getByLabel("Role", { exact: true }).selectOption("ADMIN");
  // Record the real add-member request, but stop it from reaching the server.
  const addMember = await captureServerAction(
    page,
    () => page.getByRole("button", { name: "Add member" }).click(),
    true,
  );
  const eve = () => count(app(), `SELECT COUNT(*) AS n FROM "User" WHERE email = ?`, "eve@northside.example");
  expect(eve()).toBe(0);

  await replayServerAction(addMember);
  expect(eve()).toBe(0);

  const memberContext = await browser.newContext({ baseURL: app().baseURL });
  const memberPage = await memberContext.newPage();
  await signIn(memberPage, "member@northside.example");
  const refused = await replayServerAction(addMember, { cookie: await cookieHeader(memberPage) });
  expect(refused.text).toContain("Only owners and admins can do this");
  expect(eve()).toBe(0);

  // Another organisation's owner cannot touch this organisation's members either.
  const memberId = (
    app()
      .sql.prepare(`SELECT m.id AS id FROM "Membership" m JOIN "User" u ON u.id = m.userId WHERE u.email = ?`)
      .get("member@northside.example") as { id: string }
  ).id;
  await page.goto("/members");
  const removeOwn = await captureServerAction(
    page,
    () =>
      confirmInDialog(page.getByRole("button", { name: "Remove member@northside.example" }), {
        question: "Remove member@northside.example?",
        confirm: "Remove member",
      }),
    true,
  );
  const otherContext = await browser.newContext({ baseURL: app().baseURL });
  const otherPage = await otherContext.newPage();
  await signIn(otherPage, "owner@other.example");
  const crossOrg = await replayServerAction(removeOwn, { cookie: await cookieHeader(otherPage) });
  expect(crossOrg.text).toContain("no longer in this organisation");
  expect(count(app(), `SELECT COUNT(*) AS n FROM "Membership" WHERE id = ?`, memberId)).toBe(1);

  // The same replay with the admin's own session does work: the refusals above are the checks, not the replay.
  await replayServerAction(addMember, { cookie: await cookieHeader(page) });
  expect(eve()).toBe(1);
  await memberContext.close();
  await otherContext.close();
});

function passwordHashOf(email: string): string {
  return (app().sql.prepare(`SELECT passwordHash AS hash FROM "User" WHERE email = ?`).get(email) as { hash: string })
    .hash;
}

function roleOf(email: string): string {
  return (
    app()
      .sql.prepare(`SELECT m.role AS role FROM "Membership" m JOIN "User" u ON u.id = m.userId WHERE u.email = ?`)
      .get(email) as {
      role: string;
    }
  ).role;
}
