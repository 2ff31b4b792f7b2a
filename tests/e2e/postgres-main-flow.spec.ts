import { expect } from "@playwright/test";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { ensureTestCa } from "../../stand-ins/test-ca";
import { adminQuery } from "../helpers/postgres";
import { query, seedOrganisation, signIn, test, useFreshApp } from "./support/app";

// The main flow on PostgreSQL: sign in, save the Finance email settings, send a test email.
const ca = ensureTestCa();
const app = useFreshApp(
  {
    NODE_EXTRA_CA_CERTS: ca.caFile,
    SMTP_ALLOW_PRIVATE_NETWORKS: "true",
    SMTP_ALLOWED_PORTS: "25,465,587,2525,1024-65535",
  },
  { database: "postgresql" },
);

let smtp: TestSmtpServer;
test.beforeAll(async () => {
  smtp = await startTestSmtpServer();
  await seedOrganisation(app(), "Harbour Accounting", [
    { email: "owner@harbour.example", name: "Olive Owner", role: "OWNER" },
  ]);
});
test.afterAll(async () => smtp?.close());

test("on PostgreSQL: sign in, save settings, send a test email that arrives", async ({ page }) => {
  expect(app().databaseUrl).toMatch(/^postgresql:\/\//);
  await signIn(page, "owner@harbour.example");
  await page.goto("/settings/email");
  const field = (label: string) => page.getByLabel(label, { exact: true });
  await field("Provider").selectOption("custom");
  await field("Server").fill("localhost");
  await field("TLS Port").fill(String(smtp.implicitTlsPort));
  await field("Security").selectOption({ label: "SSL/TLS" });
  await field("User").fill(smtp.user);
  await field("Password").fill(smtp.password);
  await field("From address").fill("accounts@harbour.example");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");

  await page.getByRole("button", { name: "Send test email" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Test email sent to owner@harbour.example");
  await expect(page.getByTestId("settings-status")).toHaveText("Working");
  expect(smtp.messages.map((m) => m.envelopeTo)).toEqual([["owner@harbour.example"]]);

  const [row] = await query<{ status: string; passwordCiphertext: string }>(
    app(),
    `SELECT status, "passwordCiphertext" FROM "EmailSettings"`,
  );
  expect(row.status).toBe("WORKING");
  expect(row.passwordCiphertext).not.toContain(smtp.password);
  const runs = await query<{ outcome: string }>(app(), `SELECT outcome FROM "SmtpTestRun"`);
  expect(runs).toEqual([{ outcome: "SUCCESS" }]);
});

test("when the database stops answering, a save and a test say so and keep what was typed; once it is back, the save goes through", async ({
  page,
}) => {
  const name = new URL(app().databaseUrl).pathname.slice(1);
  await signIn(page, "owner@harbour.example");
  await page.goto("/settings/email");
  const field = (label: string) => page.getByLabel(label, { exact: true });
  await field("From name").fill("Harbour Billing (typed while down)");

  // The database refuses new connections and drops the app's open ones.
  await adminQuery(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
  await adminQuery(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [name],
  );
  try {
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.locator("#settings-form-message").getByRole("alert")).toHaveText(
      "Could not save: the database did not answer. Nothing was changed; try again.",
    );
    await expect(field("From name")).toHaveValue("Harbour Billing (typed while down)");
    await page.getByRole("button", { name: "Check connection" }).click();
    await expect(page.getByTestId("test-result").getByRole("alert")).toHaveText(
      "Could not run the test: the database did not answer. Nothing was changed; try again.",
    );
  } finally {
    await adminQuery(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
  }

  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator("#settings-form-message").getByRole("status")).toContainText("Saved. Changed: From name.");
  const [row] = await query<{ fromName: string }>(app(), `SELECT "fromName" FROM "EmailSettings"`);
  expect(row.fromName).toBe("Harbour Billing (typed while down)");
});
