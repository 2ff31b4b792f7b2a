// What the Finance email page and the signed-in layout read besides the form: the kept Deliverability check, shown
// only while it is about the current settings (the page never looks anything up itself), and the failing banner,
// taken from the same settings row the page shows. Run on SQLite and again on PostgreSQL (TEST_DATABASE).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, person, settingsRow } from "../helpers/factories";
import { failingAccountOf, readEmailSettings } from "@/app/(app)/org-settings";
import { loadDeliverabilityPart } from "@/app/(app)/settings/email/page-data";
import type { DomainReport } from "@/lib/deliverability/check-domain";
import { loadMemberContext, type MemberContext } from "@/lib/session";

const REPORT: DomainReport = {
  domain: "clinic.test",
  handledByProvider: false,
  providerName: "Google Workspace",
  spf: { verdict: "fail", summary: "clinic.test has no SPF record." },
  dkim: { verdict: "pass", summary: "Signed." },
  dmarc: { verdict: "pass", summary: "Published." },
  mx: ["aspmx.l.google.com"],
};

describe("the Finance email page's reads", () => {
  let t: TestDatabase;
  let orgId: string;
  let admin: MemberContext;

  beforeAll(async () => {
    t = await createTestDatabase("page-reads");
    orgId = (await createOrg(t.db, "Riverside Clinic")).id;
    const user = await person(t.db, orgId, { role: "ADMIN", email: "priya@clinic.test", name: "Priya Admin" });
    admin = (await loadMemberContext(t.db, { userId: user.id, sessionVersion: 0 }))!;
    await settingsRow(t.db, orgId, {
      provider: "google-workspace",
      host: "smtp.gmail.com",
      user: "billing@clinic.test",
    });
  });
  afterAll(async () => {
    await t.drop();
  });

  const page = () => loadDeliverabilityPart(t.db, admin);

  it("the Deliverability check: none kept, then the kept one for these settings, then none once the From domain or provider changes", async () => {
    expect((await page()).deliverability).toBeNull();

    const checkedAt = new Date("2026-12-01T09:00:00Z");
    await t.db.domainCheck.create({
      data: {
        orgId,
        domain: "clinic.test",
        presetId: "google-workspace",
        checkedAt,
        report: REPORT,
        spfVerdict: "fail",
        dmarcVerdict: "pass",
      },
    });
    expect((await page()).deliverability).toEqual({
      domain: "clinic.test",
      presetId: "google-workspace",
      checkedAt,
      report: REPORT,
    });

    await t.db.emailSettings.update({ where: { orgId }, data: { fromAddress: "billing@riverside.test" } });
    expect((await page()).deliverability).toBeNull();

    await t.db.emailSettings.update({
      where: { orgId },
      data: { fromAddress: "billing@clinic.test", provider: "microsoft-365" },
    });
    expect((await page()).deliverability).toBeNull();
    await t.db.emailSettings.update({ where: { orgId }, data: { provider: "google-workspace" } });
  });

  it("the failing banner comes from the settings row the page shows, only while an account that worked is failing", async () => {
    expect(failingAccountOf(await readEmailSettings(t.db, orgId))).toBeNull();
    expect(failingAccountOf(null)).toBeNull();

    const since = new Date("2026-12-02T08:00:00Z");
    await t.db.emailSettings.update({
      where: { orgId },
      data: {
        status: "FAILING",
        lastTestError: "Google refused the app password",
        failingSince: since,
        failingDiagnosisId: "auth-google-app-password",
      },
    });
    // Never worked: still being set up, not an incident, so no banner on every page.
    expect(failingAccountOf(await readEmailSettings(t.db, orgId))).toBeNull();
    await t.db.emailSettings.update({ where: { orgId }, data: { workedAt: new Date("2026-12-01T08:00:00Z") } });
    const settings = await readEmailSettings(t.db, orgId);
    expect(failingAccountOf(settings)).toEqual({
      title: "Google refused the app password",
      since,
      diagnosisId: "auth-google-app-password",
    });
    expect((await page()).settings).toEqual(settings);

    await t.db.emailSettings.update({
      where: { orgId },
      data: { status: "WORKING", failingSince: null, failingDiagnosisId: null },
    });
    expect(failingAccountOf(await readEmailSettings(t.db, orgId))).toBeNull();
  });
});
