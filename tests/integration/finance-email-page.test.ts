// What the Finance email area's Account and History parts render on the server: their view models (the member lookup is in session.test.ts).
// Run on SQLite and again on PostgreSQL (TEST_DATABASE).
import type { Actor } from "@/lib/actor";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, person, settingsForm, settingsRow } from "../helpers/factories";
import { createKeyring } from "@/lib/secrets/crypto";
import { getEmailSettings, saveEmailSettings } from "@/lib/mailbox/settings";
import { loadAccountPart, loadHistoryPart } from "@/app/(app)/settings/email/page-data";
import { loadMemberContext, type MemberContext } from "@/lib/session";

/** What the Account and History parts show, together. */
async function loadFinanceEmailPage(db: TestDatabase["db"], ctx: MemberContext, options: { budgetMs: number }) {
  return { ...(await loadAccountPart(db, ctx, options)), ...(await loadHistoryPart(db, ctx)) };
}

const PASSWORD = "qvzt mrwk pdxe hjla"; // a Google app password: 16 letters
const keyring = createKeyring([crypto.randomBytes(32)]);

function form(values: Record<string, string> = {}) {
  return settingsForm({
    provider: "google-mail",
    host: "smtp.gmail.com",
    user: "accounts@clinic.test",
    fromName: "Clinic Accounts",
    fromAddress: "accounts@clinic.test",
    ...values,
  });
}

describe("the Finance email page's data", () => {
  let t: TestDatabase;
  let orgId: string;
  let admin: MemberContext;
  let actor: Pick<Actor, "userId" | "email" | "name" | "orgId">;
  const budgetMs = 15_000;

  beforeAll(async () => {
    t = await createTestDatabase("page-data");
    orgId = (await createOrg(t.db, "Riverside Clinic")).id;
    const user = await person(t.db, orgId, { name: "Priya Admin", role: "ADMIN" });
    admin = (await loadMemberContext(t.db, { userId: user.id, sessionVersion: 0 }))!;
    actor = { userId: user.id, email: user.email, name: user.name, orgId };
  });
  afterAll(async () => {
    await t.drop();
  });

  it("before any save: blank form, no status, empty tests and history", async () => {
    const data = await loadFinanceEmailPage(t.db, admin, { budgetMs });
    expect(data).toMatchObject({
      canEdit: true,
      settings: null,
      tests: [],
      history: [],
      editors: [],
      defaultSendTo: admin.user.email,
      budgetSeconds: 15,
    });
    expect(data.form).toMatchObject({ provider: "", host: "", version: 0, passwordSavedOn: null });
  });

  it("after saves and tests: the saved values, status, newest tests and history first, and never the password", async () => {
    await saveEmailSettings({ db: t.db, keyring }, actor, form({ password: PASSWORD }));
    await saveEmailSettings({ db: t.db, keyring }, actor, form({ version: "1", fromName: "Riverside Billing" }));
    const base = { orgId, userId: actor.userId, userEmail: actor.email, host: "smtp.gmail.com", port: 587 };
    await t.db.smtpTestRun.create({
      data: {
        ...base,
        mode: "send",
        recipient: "a@clinic.test",
        outcome: "FAILURE",
        failedStep: "auth",
        durationMs: 812,
        createdAt: new Date(Date.now() - 60_000),
      },
    });
    await t.db.smtpTestRun.create({
      data: {
        ...base,
        mode: "check",
        recipient: "b@clinic.test",
        outcome: "SUCCESS",
        durationMs: 400,
        createdAt: new Date(Date.now() - 30_000),
      },
    });
    await t.db.smtpTestRun.create({ data: { ...base, mode: "send", recipient: "c@clinic.test", outcome: "RUNNING" } });

    const data = await loadFinanceEmailPage(t.db, admin, { budgetMs });
    expect(data.form).toMatchObject({
      provider: "google-mail",
      host: "smtp.gmail.com",
      port: "587",
      fromName: "Riverside Billing",
      version: 2,
    });
    // From address saved as User: the form shows it blank (its placeholder is User), the read-only view in full.
    expect(data.form.fromAddress).toBe("");
    expect(data.settings?.fromAddress).toBe("accounts@clinic.test");
    expect(data.form.passwordSavedOn).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC$/);
    expect(data.settings).toMatchObject({ status: "UNTESTED", hasPassword: true, version: 2 });
    expect(new Date(data.settings!.updatedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // Finished tests only, newest first.
    expect(data.tests.map((r) => [r.recipient, r.outcome, r.failedStep])).toEqual([
      ["b@clinic.test", "SUCCESS", null],
      ["a@clinic.test", "FAILURE", "auth"],
    ]);
    expect(data.tests[1]).toMatchObject({ mode: "send", host: "smtp.gmail.com", port: 587, durationMs: 812 });

    expect(data.history).toHaveLength(2);
    expect(data.history[0].changes).toEqual({ fromName: { from: "Clinic Accounts", to: "Riverside Billing" } });
    expect(data.history[1].changes).toMatchObject({ password: "changed", host: { from: "", to: "smtp.gmail.com" } });
    expect(data.history[0].actorEmail).toBe(actor.email);

    const json = JSON.stringify(data); // what reaches the page's HTML and the form's props
    const { passwordCiphertext } = await t.db.emailSettings.findUniqueOrThrow({ where: { orgId } });
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toContain(PASSWORD.replace(/ /g, ""));
    expect(json).not.toContain(passwordCiphertext!);
    expect(json).not.toMatch(/ciphertext|passwordKeyId/i);
  });

  it("a member gets the settings read-only with the names of who can change them", async () => {
    const member = await person(t.db, orgId, { name: "Sam Member", role: "MEMBER" });
    const data = await loadFinanceEmailPage(
      t.db,
      (await loadMemberContext(t.db, { userId: member.id, sessionVersion: 0 }))!,
      { budgetMs },
    );
    expect(data.canEdit).toBe(false);
    expect(data.editors).toContain("Priya Admin");
    expect(data.editors).not.toContain("Sam Member");
  });

  it("reports whether a password is saved as a boolean, on this database too", async () => {
    const org = (await createOrg(t.db, "No Password Yet")).id;
    await settingsRow(t.db, org);
    expect((await getEmailSettings(t.db, org))?.hasPassword).toBe(false);
    expect((await getEmailSettings(t.db, orgId))?.hasPassword).toBe(true);
  });
});
