// Not a test: `npx tsx --conditions=react-server tests/e2e/support/screenshots.ts` saves screenshots of the main pages to
// /tmp/shots (desktop and phone widths) so a person can look at them; with SCREENSHOT_DIR=docs/screenshots, the
// Finance email area's parts go there too.
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../../scripts/chromium";
import { seedOrganisation, startApp, STRONG_PASSWORD } from "./app";

async function main() {
  const app = await startApp();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    for (const [label, viewport] of [
      ["desktop", { width: 1280, height: 860 }],
      ["phone", { width: 390, height: 800 }],
    ] as const) {
      const page = await browser.newPage({ baseURL: app.baseURL, viewport });
      if (label === "desktop") {
        await page.goto("/setup");
        await page.getByRole("button", { name: "Create account" }).click();
        await page.screenshot({ path: `/tmp/shots/${label}-setup-errors.png`, fullPage: true });
        await seedOrganisation(app, "Riverside Physiotherapy", [
          { email: "owner@riverside.example", name: "Ana Owner", role: "OWNER" },
          { email: "mia@riverside.example", name: "Mia Member", role: "MEMBER" },
        ]);
      }
      await page.goto("/sign-in");
      await page.screenshot({ path: `/tmp/shots/${label}-sign-in.png`, fullPage: true });
      await page.getByLabel("Email").fill("owner@riverside.example");
      await page.getByLabel("Password").fill(STRONG_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => u.pathname === "/");
      await page.screenshot({ path: `/tmp/shots/${label}-dashboard.png`, fullPage: true });
      await page.goto("/members");
      await page.screenshot({ path: `/tmp/shots/${label}-members.png`, fullPage: true });
      for (const path of process.argv.slice(2).length ? process.argv.slice(2) : ["/settings/email", "/help"]) {
        await page.goto(path);
        await page.screenshot({ path: `/tmp/shots/${label}${path.replaceAll("/", "-")}.png`, fullPage: true });
      }
      // The Finance email form as the guide asks it: a provider, User and Password; From address shows User.
      await page.goto("/settings/email");
      await page.getByLabel("Provider", { exact: true }).selectOption("google-mail");
      await page.screenshot({ path: `/tmp/shots/${label}-settings-email-google-first-setup.png`, fullPage: true });
      await page.getByLabel("User", { exact: true }).fill("accounts@riverside.example");
      await page.getByLabel("Password", { exact: true }).fill("MyGooglePassw0rd!");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByLabel("Password", { exact: true }).and(page.locator("[aria-invalid=true]")).waitFor();
      await page.screenshot({ path: `/tmp/shots/${label}-settings-email-guide-fields.png`, fullPage: true });
      // A saved account: the area's parts, each a page of its own.
      await page.getByLabel("Password", { exact: true }).fill("abcd efgh ijkl mnop");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByRole("navigation", { name: "Finance email" }).waitFor();
      for (const part of ["", "/deliverability", "/alerts", "/history"]) {
        await page.goto(`/settings/email${part}`);
        const name = `${label}-finance-email${part.replace("/", "-") || "-account"}.png`;
        await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? "/tmp/shots"}/${name}`, fullPage: true });
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await app.stop();
  }
}
// A failure is an unhandled rejection: Node prints it and exits non-zero.
void main();
