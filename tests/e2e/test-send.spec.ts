import { expect, type Page } from "@playwright/test";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { ensureTestCa } from "../../stand-ins/test-ca";
import { count, openAdvanced, openPart, seedOrganisation, signIn, test, useFreshApp } from "./support/app";

const BUDGET_MS = 4000;
const ca = ensureTestCa();
const app = useFreshApp({
  NODE_EXTRA_CA_CERTS: ca.caFile,
  SMTP_ALLOW_PRIVATE_NETWORKS: "true",
  // The fixture listens on free high ports, not mail ports.
  SMTP_ALLOWED_PORTS: "25,465,587,2525,1024-65535",
  SMTP_TEST_TIMEOUT_MS: String(BUDGET_MS),
});
test.describe.configure({ mode: "serial" });

let smtp: TestSmtpServer;
test.beforeAll(async () => {
  smtp = await startTestSmtpServer();
  await seedOrganisation(app(), "Riverside Physio", [
    { email: "ana@riverside.example", name: "Ana Admin", role: "ADMIN" },
    { email: "rob@riverside.example", name: "Rob Admin", role: "ADMIN" },
  ]);
});
test.afterAll(async () => {
  await smtp?.close();
});

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

async function fillLocalSettings(page: Page, port: number, security: "STARTTLS" | "SSL/TLS", password = smtp.password) {
  await field(page, "Provider").selectOption("custom");
  await field(page, "Server").fill("localhost");
  await field(page, "TLS Port").fill(String(port));
  await field(page, "Security").selectOption({ label: security });
  await field(page, "User").fill(smtp.user);
  await field(page, "Password").fill(password);
  await field(page, "From name").fill("Riverside Accounts");
  await field(page, "From address").fill("billing@riverside.example");
}

test("a saved account sends a real test email; the status becomes Working, and a later change resets it", async ({
  page,
}) => {
  await signIn(page, "ana@riverside.example");
  await page.goto("/settings/email");
  await fillLocalSettings(page, smtp.starttlsPort, "STARTTLS");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");
  await expect(field(page, "Send to")).toHaveValue("ana@riverside.example");
  await field(page, "Send to").fill("inbox@riverside.example");

  await page.getByRole("button", { name: "Send test email" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Test email sent to inbox@riverside.example");
  for (const step of ["lookup", "connect", "tls", "auth", "envelope", "message"]) {
    await expect(page.locator(`[data-step="${step}"]`)).toHaveAttribute("data-status", "ok");
  }
  await expect(page.getByTestId("settings-status")).toHaveText("Working");
  await openPart(page, "History");
  await expect(page.getByTestId("test-run").first()).toContainText("Passed");

  expect(smtp.messages).toHaveLength(1);
  const message = smtp.messages[0];
  expect(message.subject).toBe("Test email from Finance Email Setup");
  expect(message.from).toContain("billing@riverside.example");
  expect(message.from).toContain("Riverside Accounts");
  expect(message.to).toContain("inbox@riverside.example");
  expect(message.envelopeTo).toEqual(["inbox@riverside.example"]);
  expect(message.raw).toContain("Riverside Physio");
  expect(message.raw).not.toContain(smtp.password);

  // The dashboard shows the same status.
  await page.goto("/");
  await expect(page.getByTestId("settings-status")).toHaveText("Working");
  await page.goto("/settings/email");

  // Any change to the saved settings means the Working badge no longer applies.
  await field(page, "From name").fill("Riverside Billing");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");
});

test("Check connection stops before any message is sent", async ({ page }) => {
  await signIn(page, "ana@riverside.example");
  await page.goto("/settings/email");
  const before = smtp.messages.length;
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection works");
  await expect(page.locator('[data-step="envelope"]')).toHaveAttribute("data-status", "ok");
  await expect(page.locator('[data-step="message"]')).toHaveCount(0);
  expect(smtp.messages.length).toBe(before);
  await expect(page.getByTestId("settings-status")).toHaveText("Working");
});

test("a wrong Google app password shows the app-password advice, and nothing secret comes back", async ({ page }) => {
  await signIn(page, "ana@riverside.example");
  await page.goto("/settings/email");
  await field(page, "Provider").selectOption({ label: "Google Mail (Gmail)" });
  await openAdvanced(page);
  await field(page, "Server").fill("localhost");
  await field(page, "TLS Port").fill(String(smtp.starttlsPort));
  await field(page, "Password").fill("abcd abcd abcd wxyz");
  await page.getByRole("button", { name: "Send test email" }).click();
  const diagnosis = page.getByTestId("diagnosis");
  await expect(diagnosis).toHaveAttribute("data-diagnosis", "bad-credentials");
  await expect(diagnosis).toContainText("App passwords are revoked when the Google account password changes");
  await expect(diagnosis.getByRole("link", { name: "Read the troubleshooting guide" })).toHaveAttribute(
    "href",
    "/help/troubleshooting#bad-credentials",
  );
  await expect(page.locator('[data-step="auth"]')).toHaveAttribute("data-status", "failed");
  await expect(page.getByTestId("server-reply")).toContainText("535");
  expect(await page.content()).not.toContain("abcdabcdabcdwxyz");
  // What was typed is still in the form, so it can be corrected.
  await expect(field(page, "Server")).toHaveValue("localhost");
});

test("a failing test of the saved settings turns the status to Failing, with the error and advice", async ({
  page,
}) => {
  await signIn(page, "ana@riverside.example");
  await page.goto("/settings/email");
  await field(page, "Password").fill("not-the-right-password");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-diagnosis", "bad-credentials");
  await expect(page.getByTestId("settings-status")).toHaveText("Failing");
  const banner = page.getByRole("region", { name: /Status: Failing/ });
  await expect(banner).toContainText("The user name or password was not accepted");
  await expect(banner).toContainText("enter the password again");
  // Put the right password back for the tests that follow.
  await field(page, "Password").fill(smtp.password);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");
});

test("SSL/TLS on a STARTTLS port is diagnosed with a one-click fix", async ({ page }) => {
  await signIn(page, "ana@riverside.example");
  await page.goto("/settings/email");
  await field(page, "Security").selectOption({ label: "SSL/TLS" });
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-diagnosis", "ssl-on-starttls-port");
  await page.getByRole("button", { name: "Use STARTTLS" }).click();
  await expect(field(page, "Security")).toHaveValue("starttls");
});

test("a server that never answers ends with a clear message within the budget", async ({ page }) => {
  await signIn(page, "rob@riverside.example");
  await page.goto("/settings/email");
  await field(page, "TLS Port").fill(String(smtp.silentPort));
  await field(page, "Security").selectOption({ label: "SSL/TLS" });
  const started = Date.now();
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByRole("button", { name: "Checking…" })).toBeVisible();
  await expect(page.getByText(/Contacting the server/)).toBeVisible();
  await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-diagnosis", "timeout", {
    timeout: BUDGET_MS + 5000,
  });
  const elapsed = Date.now() - started;
  expect(elapsed).toBeLessThan(BUDGET_MS + 2500);
  await expect(page.getByTestId("diagnosis")).toContainText("firewalls");
});

test("the sixth test in a minute is refused with when to try again", async ({ page }) => {
  await signIn(page, "rob@riverside.example");
  await page.goto("/settings/email");
  // Rob has used one test already (the silent server); four more are allowed this minute.
  for (let i = 0; i < 4; i++) {
    await page.getByRole("button", { name: "Check connection" }).click();
    await expect(page.getByRole("button", { name: "Check connection" })).toBeEnabled();
    await expect(page.getByTestId("test-result")).toContainText("Connection works");
  }
  const runs = () =>
    count(
      app(),
      `SELECT COUNT(*) AS n FROM "SmtpTestRun" r JOIN "User" u ON u.id = r.userId WHERE u.email = ?`,
      "rob@riverside.example",
    );
  expect(runs()).toBe(5);
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByTestId("test-result").getByRole("alert")).toContainText(
    /You have run 5 tests in a minute, the most allowed\. Try again in \d+ seconds?\./,
  );
  expect(runs()).toBe(5);
});

test("with Server changed and Password blank, the saved password is not used: the Password field asks for it again", async ({
  page,
}) => {
  await signIn(page, "ana@riverside.example");
  await page.goto("/settings/email");
  const before = app().sql.prepare(`SELECT host, "passwordCiphertext" FROM "EmailSettings"`).get();
  smtp.reset();
  // 127.0.0.1 is a name the fixture's certificate is valid for: a test there would get through TLS to AUTH.
  await field(page, "Server").fill("127.0.0.1");
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(field(page, "Password")).toHaveAccessibleDescription(
    /Enter the password again: the server or user changed\./,
  );
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator("#settings-form-message").getByRole("alert")).toHaveText(
    "Enter the password again: the server or user changed.",
  );
  expect(smtp.sessions).toHaveLength(0);
  expect(app().sql.prepare(`SELECT host, "passwordCiphertext" FROM "EmailSettings"`).get()).toEqual(before);
});
