import { expect, type Page } from "@playwright/test";
import { startTestDnsServer, type TestDnsServer, type Zone } from "../../stand-ins/dns-test-server";
import {
  openEmailSettings,
  openPart,
  seedEmailSettings,
  seedOrganisation,
  signIn,
  test,
  useFreshApp,
} from "./support/app";

// The Deliverability card in a real browser, its lookups answered by a real DNS server on 127.0.0.1:
// Google Workspace settings for a domain without SPF and DMARC show both failing with the exact records to add;
// once the zone has them, "Check again" shows them passing.
const GOOGLE: Zone = {
  "_spf.google.com": { txt: ["v=spf1 include:_netblocks.google.com ~all"] },
  "_netblocks.google.com": { txt: ["v=spf1 ip4:209.85.128.0/17 ~all"] },
  "google._domainkey.riverside-physio.example": {
    txt: ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxyz"],
  },
  "riverside-physio.example": { mx: [{ exchange: "aspmx.l.google.com", priority: 1 }] },
};
let dns: TestDnsServer;
test.beforeAll(async () => {
  dns = await startTestDnsServer(GOOGLE);
});
test.afterAll(async () => {
  await dns?.close();
});
const app = useFreshApp(() => ({ DNS_SERVERS: dns.address }));

/** Signs in as an owner and saves a provider's settings for a mailbox (with an app password). */
async function saveMailbox(page: Page, ownerEmail: string, mailbox: { provider: string; user: string }) {
  await openEmailSettings(page, ownerEmail);
  await page.getByLabel("Provider", { exact: true }).selectOption(mailbox.provider);
  await page.getByLabel("User", { exact: true }).fill(mailbox.user);
  await page.getByLabel("Password", { exact: true }).fill("abcd efgh ijkl mnop");
  await page.getByRole("button", { name: "Save settings" }).click();
}

test("SPF and DMARC missing: both Fail with the records to add; after fixing the zone, Check again shows Pass", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await seedOrganisation(app(), "Riverside Physio", [
    { email: "owner@riverside-physio.example", name: "Olive Owner", role: "OWNER" },
  ]);
  await saveMailbox(page, "owner@riverside-physio.example", {
    provider: "google-workspace",
    user: "billing@riverside-physio.example",
  });
  await expect(page.getByText(/^Saved\. Changed:/)).toBeVisible();

  await openPart(page, "Deliverability");
  const card = page.locator("#deliverability");
  const spf = card.getByTestId("check-spf");
  const dmarc = card.getByTestId("check-dmarc");
  await expect(spf).toHaveAttribute("data-verdict", "fail");
  await expect(spf.getByTestId("verdict")).toHaveText("Fail");
  await expect(spf.getByTestId("fix-host")).toHaveText("riverside-physio.example");
  await expect(spf.getByTestId("fix-type")).toHaveText("TXT");
  await expect(spf.getByTestId("fix-value")).toHaveText("v=spf1 include:_spf.google.com ~all");
  await expect(dmarc).toHaveAttribute("data-verdict", "fail");
  await expect(dmarc.getByTestId("fix-host")).toHaveText("_dmarc.riverside-physio.example");
  await expect(dmarc.getByTestId("fix-value")).toHaveText(
    "v=DMARC1; p=none; rua=mailto:dmarc-reports@riverside-physio.example",
  );
  await expect(card.getByTestId("check-dkim")).toHaveAttribute("data-verdict", "pass");
  await expect(card.getByTestId("mx")).toContainText("Replies to riverside-physio.example go to aspmx.l.google.com.");

  // Copy puts the exact value on the clipboard.
  await spf.getByRole("button", { name: "Copy value" }).click();
  await expect(spf.getByRole("button", { name: "Copy value" })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("v=spf1 include:_spf.google.com ~all");

  // The records are published as suggested (DMARC already moved on to quarantine).
  dns.setZone({
    ...GOOGLE,
    "riverside-physio.example": {
      txt: ["v=spf1 include:_spf.google.com ~all"],
      mx: [{ exchange: "aspmx.l.google.com", priority: 1 }],
    },
    "_dmarc.riverside-physio.example": {
      txt: ["v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@riverside-physio.example"],
    },
  });
  await card.getByRole("button", { name: "Check again" }).click();
  await expect(spf).toHaveAttribute("data-verdict", "pass");
  await expect(spf.getByTestId("summary")).toHaveText("The SPF record authorises Google Workspace's servers.");
  await expect(dmarc).toHaveAttribute("data-verdict", "pass");
  await expect(card.getByTestId("record-fix")).toHaveCount(0);
  await expect(card.getByTestId("domain-checked-at")).toHaveText("Checked just now");
});

test("an address at a mailbox provider: Handled by your provider", async ({ page }) => {
  await seedOrganisation(app(), "Corner Cafe", [{ email: "owner@corner.example", name: "Cora Owner", role: "OWNER" }]);
  await saveMailbox(page, "owner@corner.example", { provider: "google-mail", user: "corner.cafe.accounts@gmail.com" });
  await expect(page.getByText(/^Saved\. Changed:/)).toBeVisible();
  await openPart(page, "Deliverability");
  await expect(page.getByTestId("handled-by-provider")).toContainText("Handled by your provider.");
  await expect(page.locator("#deliverability").getByTestId("check-spf")).toHaveCount(0);
});

test("until a check of these settings is kept, the page looks nothing up: it says so, and an owner can Check now", async ({
  page,
  browser,
}) => {
  const orgId = await seedOrganisation(app(), "Quay Books", [
    { email: "owner@quay.example", name: "Quinn Owner", role: "OWNER" },
    { email: "member@quay.example", name: "Mia Member", role: "MEMBER" },
  ]);
  await seedEmailSettings(app(), orgId, { status: "UNTESTED" }); // From billing@example.com, saved without the app
  await signIn(page, "member@quay.example");
  const before = dns.queries.length;
  await page.goto("/settings/email/deliverability");
  const card = page.locator("#deliverability");
  await expect(card.getByTestId("domain-not-checked")).toHaveText(
    "The records of example.com have not been checked for these settings yet. An owner or admin can check them here. They are also checked every week.",
  );
  await expect(card.getByRole("button")).toHaveCount(0);

  const owner = await (await browser.newContext({ baseURL: app().baseURL })).newPage();
  await openEmailSettings(owner, "owner@quay.example");
  await openPart(owner, "Deliverability");
  const ownerCard = owner.locator("#deliverability");
  await expect(ownerCard.getByTestId("domain-not-checked")).toContainText("Check now to see what receivers see.");
  expect(dns.queries.length).toBe(before);
  await ownerCard.getByRole("button", { name: "Check now" }).click();
  await expect(ownerCard.getByTestId("domain-checked-at")).toHaveText("Checked just now");
  await expect(ownerCard.getByTestId("check-spf")).toHaveAttribute("data-verdict", /.+/);
  expect(dns.queries.some((q) => q.name === "example.com")).toBe(true);

  // Kept: the member's next view shows it, and still looks nothing up.
  const kept = dns.queries.length;
  await page.reload();
  await expect(card.getByTestId("domain-checked-at")).toHaveText("Checked just now");
  await expect(card.getByTestId("domain-not-checked")).toHaveCount(0);
  expect(dns.queries.length).toBe(kept);
  await owner.context().close();
});
