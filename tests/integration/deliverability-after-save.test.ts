// The Deliverability check a save runs (checkDomainIfChanged): the From domain is looked up when the kept check is
// not about the saved settings (none yet, another From domain, another provider), and not again while it is.
// Against a real DNS server (dns2 on 127.0.0.1). Run on SQLite and again on PostgreSQL (TEST_DATABASE).
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDnsResolver } from "@/lib/deliverability/resolver";
import { checkDomainIfChanged, keptDomainCheck } from "@/lib/deliverability/domain-checks";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, settingsRow } from "../helpers/factories";
import { startTestDnsServer, type TestDnsServer } from "../../stand-ins/dns-test-server";

let t: TestDatabase;
let dns: TestDnsServer;
let orgId: string;

beforeAll(async () => {
  t = await createTestDatabase("deliverability-after-save");
  dns = await startTestDnsServer({
    "_spf.google.com": { txt: ["v=spf1 ip4:209.85.128.0/17 ~all"] },
    "clinic.example": { txt: ["v=spf1 include:_spf.google.com ~all"] },
  });
  orgId = (await createOrg(t.db, "Riverside Clinic")).id;
});
afterAll(async () => {
  await dns?.close();
  await t?.drop();
});

const resolve = () => createDnsResolver({ servers: [dns.address], timeoutMs: 1000, tries: 1 });
const lookedUp = async (change: () => Promise<unknown>) => {
  const before = dns.queries.length;
  await change();
  return dns.queries.length > before;
};

it("nothing saved: nothing is looked up or kept", async () => {
  expect(await lookedUp(() => checkDomainIfChanged(t.db, resolve(), orgId))).toBe(false);
  expect(await keptDomainCheck(t.db, orgId)).toBeNull();
});

it("checks a new From domain or provider once, and not again while the kept check is about the saved settings", async () => {
  await settingsRow(t.db, orgId, {
    provider: "google-workspace",
    host: "smtp.gmail.com",
    user: "billing@clinic.example",
  });
  expect(await lookedUp(() => checkDomainIfChanged(t.db, resolve(), orgId))).toBe(true);
  expect(await keptDomainCheck(t.db, orgId)).toMatchObject({
    domain: "clinic.example",
    presetId: "google-workspace",
    report: { spf: { verdict: "pass" } },
  });

  // Another save that keeps the From domain and provider (a new password, a From name): nothing to look up.
  await t.db.emailSettings.update({ where: { orgId }, data: { fromName: "Riverside Billing" } });
  expect(await lookedUp(() => checkDomainIfChanged(t.db, resolve(), orgId))).toBe(false);

  await t.db.emailSettings.update({ where: { orgId }, data: { fromAddress: "accounts@riverside.example" } });
  expect(await lookedUp(() => checkDomainIfChanged(t.db, resolve(), orgId))).toBe(true);
  expect(await keptDomainCheck(t.db, orgId)).toMatchObject({
    domain: "riverside.example",
    report: { spf: { verdict: "fail" } },
  });

  await t.db.emailSettings.update({ where: { orgId }, data: { provider: "microsoft-365" } });
  expect(await lookedUp(() => checkDomainIfChanged(t.db, resolve(), orgId))).toBe(true);
  expect(await keptDomainCheck(t.db, orgId)).toMatchObject({ domain: "riverside.example", presetId: "microsoft-365" });
});

it("a Google account's new User that makes it Workspace instead of personal Gmail is checked again", async () => {
  await t.db.emailSettings.update({
    where: { orgId },
    data: { provider: "google-mail", username: "clinic.accounts@gmail.com", fromAddress: "billing@clinic.example" },
  });
  expect(await lookedUp(() => checkDomainIfChanged(t.db, resolve(), orgId))).toBe(true);
  expect(await keptDomainCheck(t.db, orgId)).toMatchObject({ domain: "clinic.example", presetId: "google-mail" });

  await t.db.emailSettings.update({ where: { orgId }, data: { username: "billing@clinic.example" } });
  expect(await lookedUp(() => checkDomainIfChanged(t.db, resolve(), orgId))).toBe(true);
  expect(await keptDomainCheck(t.db, orgId)).toMatchObject({
    domain: "clinic.example",
    presetId: "google-workspace",
    report: { providerName: "Google Workspace" },
  });
});
