import type { Actor } from "@/lib/actor";
import { setWebhook, webhookTarget } from "@/lib/watch/webhook";
import { rotateStoredSecrets } from "@/lib/secrets/stored-secrets";
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestDatabase, useTestDatabase } from "../helpers/database";
import { createOrg, person, settingsForm, settingsRow } from "../helpers/factories";
import { createKeyring, keyIdOf, SecretDecryptError } from "@/lib/secrets/crypto";
import {
  EMAIL_SETTINGS_SAVED,
  getEmailSettings,
  readSavedPassword,
  saveEmailSettings,
  SettingsConflictError,
  settingsHistory,
} from "@/lib/mailbox/settings";
import { UserFacingError } from "@/lib/errors";
import type { Db } from "@/lib/prisma";

const PASSWORD = "Plaintext-Sentinel-7731 zq";
const NEW_PASSWORD = "Second-Sentinel-4409 xk";

const keyA = crypto.randomBytes(32);
const keyring = createKeyring([keyA]);

/** What the form posts: every value a string, parsed by the form's own schema. */
function form(values: Record<string, string> = {}) {
  return settingsForm({
    provider: "microsoft-365",
    host: "smtp.office365.com",
    user: "billing@acme.test",
    fromName: "Acme Billing",
    fromAddress: "billing@acme.test",
    ...values,
  });
}

async function newOrg(
  db: Db,
  name: string,
  adminName = `${name} Admin`,
): Promise<Pick<Actor, "userId" | "email" | "name" | "orgId">> {
  const org = await createOrg(db, name);
  const user = await person(db, org.id, { name: adminName, role: "ADMIN" });
  return { userId: user.id, email: user.email, name: adminName, orgId: org.id };
}

const row = (db: Db, orgId: string) => db.emailSettings.findUniqueOrThrow({ where: { orgId } });
const auditRows = (db: Db, orgId: string) =>
  db.auditEvent.findMany({ where: { orgId, action: EMAIL_SETTINGS_SAVED }, orderBy: { createdAt: "asc" } });

function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: unknown) => err,
  );
}

describe("saveEmailSettings and readSavedPassword", () => {
  const database = useTestDatabase("email-settings");

  it("creates the row on the first save (version 0) with the password encrypted under the current key", async () => {
    const actor = await newOrg(database().db, "First Save");
    const result = await saveEmailSettings({ db: database().db, keyring }, actor, form({ password: PASSWORD }));
    expect(result.version).toBe(1);
    expect(result.changed).toContain("Password");

    const saved = await row(database().db, actor.orgId);
    expect(saved).toMatchObject({
      version: 1,
      host: "smtp.office365.com",
      port: 587,
      username: "billing@acme.test",
      status: "UNTESTED",
    });
    expect(saved.passwordKeyId).toBe(keyIdOf(keyA));
    expect(saved.passwordCiphertext).toMatch(new RegExp(`^v1\\.${keyIdOf(keyA)}\\.`));
    expect(saved.passwordCiphertext).not.toContain(PASSWORD);
    expect(saved.passwordSavedAt).toBeInstanceOf(Date);

    expect(await readSavedPassword(database().db, keyring, actor.orgId)).toBe(PASSWORD);

    const view = await getEmailSettings(database().db, actor.orgId);
    expect(view).toMatchObject({
      version: 1,
      hasPassword: true,
      updatedByName: "First Save Admin",
      status: "UNTESTED",
    });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    expect(JSON.stringify(view)).not.toContain(saved.passwordCiphertext);
  });

  it("refuses a first save without a password on the password field, and saves nothing", async () => {
    const actor = await newOrg(database().db, "No Password");
    const err = await rejection(saveEmailSettings({ db: database().db, keyring }, actor, form()));
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as UserFacingError).field).toBe("password");
    expect((err as UserFacingError).message).toBe("Enter the password.");
    expect(await database().db.emailSettings.findUnique({ where: { orgId: actor.orgId } })).toBeNull();
    expect(await auditRows(database().db, actor.orgId)).toHaveLength(0);
  });

  it("refuses a stale version, names who saved in between, and overwrites nothing", async () => {
    const ana = await newOrg(database().db, "Conflict", "Ana Admin");
    await saveEmailSettings({ db: database().db, keyring }, ana, form({ password: PASSWORD }));
    const bo = { ...ana, userId: "bo-id", email: "bo@acme.test", name: "Bo Admin" };
    const boPassword = "Bo-Sentinel-5521 pq"; // a new server needs its password typed
    await saveEmailSettings(
      { db: database().db, keyring },
      bo,
      form({ host: "smtp.bo.test", password: boPassword, version: "1" }),
    );
    const before = await row(database().db, ana.orgId);
    const auditBefore = await auditRows(database().db, ana.orgId);

    // Ana's form still says version 1.
    const err = await rejection(
      saveEmailSettings(
        { db: database().db, keyring },
        ana,
        form({ host: "smtp.ana.test", password: NEW_PASSWORD, version: "1" }),
      ),
    );
    expect(err).toBeInstanceOf(SettingsConflictError);
    expect((err as Error).message).toMatch(
      /^Bo Admin changed these settings at .* UTC, after you opened this page\. Nothing was saved/,
    );

    // A version-0 form (someone who opened the page before the first save) is refused too.
    const first = await rejection(
      saveEmailSettings({ db: database().db, keyring }, ana, form({ password: NEW_PASSWORD })),
    );
    expect(first).toBeInstanceOf(SettingsConflictError);

    expect(await row(database().db, ana.orgId)).toEqual(before);
    expect(await readSavedPassword(database().db, keyring, ana.orgId)).toBe(boPassword);
    expect(await auditRows(database().db, ana.orgId)).toHaveLength(auditBefore.length);
  });

  it("keeps the saved password when the password field is left blank", async () => {
    const actor = await newOrg(database().db, "Blank Password");
    await saveEmailSettings(
      { db: database().db, keyring },
      actor,
      form({ password: PASSWORD }),
      new Date("2025-01-02T03:04:05Z"),
    );
    const before = await row(database().db, actor.orgId);

    const result = await saveEmailSettings(
      { db: database().db, keyring },
      actor,
      form({ fromName: "Acme Accounts", version: "1" }),
    );
    expect(result).toEqual({ changed: ["From name"], version: 2 });
    const after = await row(database().db, actor.orgId);
    expect(after.fromName).toBe("Acme Accounts");
    expect(after.passwordCiphertext).toBe(before.passwordCiphertext);
    expect(after.passwordKeyId).toBe(before.passwordKeyId);
    expect(after.passwordSavedAt).toEqual(new Date("2025-01-02T03:04:05Z"));
    expect(await readSavedPassword(database().db, keyring, actor.orgId)).toBe(PASSWORD);
  });

  it("audits old and new values of changed fields, only 'changed' for the password, and never the password", async () => {
    const actor = await newOrg(database().db, "Audit");
    await saveEmailSettings({ db: database().db, keyring }, actor, form({ password: PASSWORD }));
    const result = await saveEmailSettings(
      { db: database().db, keyring },
      actor,
      form({ port: "465", security: "ssl", replyTo: "accounts@acme.test", password: NEW_PASSWORD, version: "1" }),
    );
    expect(result).toEqual({ changed: ["TLS Port", "Security", "Reply-to", "Password"], version: 2 });
    expect(await readSavedPassword(database().db, keyring, actor.orgId)).toBe(NEW_PASSWORD);

    const events = await auditRows(database().db, actor.orgId);
    expect(events).toHaveLength(2);
    expect(events[0].details).toEqual({
      changes: {
        provider: { from: "", to: "Microsoft 365 (Exchange Online)" },
        host: { from: "", to: "smtp.office365.com" },
        port: { from: "", to: "587" },
        security: { from: "", to: "STARTTLS" },
        user: { from: "", to: "billing@acme.test" },
        fromName: { from: "", to: "Acme Billing" },
        fromAddress: { from: "", to: "billing@acme.test" },
        password: "changed",
      },
    });
    expect(events[1]).toMatchObject({ actorId: actor.userId, actorEmail: actor.email });
    expect(events[1].details).toEqual({
      changes: {
        port: { from: "587", to: "465" },
        security: { from: "STARTTLS", to: "SSL/TLS" },
        replyTo: { from: "", to: "accounts@acme.test" },
        password: "changed",
      },
    });
    const everything = JSON.stringify(await database().db.auditEvent.findMany({ where: { orgId: actor.orgId } }));
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(NEW_PASSWORD);
  });

  it("does not bump the version, write, reset the status or audit when nothing changed", async () => {
    const actor = await newOrg(database().db, "No Change");
    await saveEmailSettings(
      { db: database().db, keyring },
      actor,
      form({ password: PASSWORD, replyTo: "accounts@acme.test" }),
    );
    await database().db.emailSettings.update({
      where: { orgId: actor.orgId },
      data: { status: "WORKING", lastTestAt: new Date() },
    });
    const before = await row(database().db, actor.orgId);

    // Same values as typed again: upper-case host, spaces around the name, blank password.
    const result = await saveEmailSettings(
      { db: database().db, keyring },
      actor,
      form({ host: "SMTP.Office365.com", fromName: "  Acme Billing ", replyTo: "accounts@acme.test", version: "1" }),
    );
    expect(result).toEqual({ changed: [], version: 1 });
    expect(await row(database().db, actor.orgId)).toEqual(before);
    expect(await auditRows(database().db, actor.orgId)).toHaveLength(1);
  });

  it.each([
    // A new server needs the password typed again (the saved one is only for the server it was saved with).
    ["a server change", { host: "smtp.example.test", password: NEW_PASSWORD }],
    ["a port change", { port: "465", security: "ssl" }],
    ["a password change only", { password: NEW_PASSWORD }],
  ])("resets the status from WORKING to UNTESTED after %s", async (_label, change) => {
    const actor = await newOrg(database().db, `Status ${_label}`);
    await saveEmailSettings({ db: database().db, keyring }, actor, form({ password: PASSWORD }));
    await database().db.emailSettings.update({
      where: { orgId: actor.orgId },
      data: { status: "WORKING", lastTestAt: new Date(), lastTestError: "old error", lastTestAdvice: "old advice" },
    });
    expect((await getEmailSettings(database().db, actor.orgId))?.status).toBe("WORKING");

    await saveEmailSettings({ db: database().db, keyring }, actor, form({ ...change, version: "1" }));
    const after = await row(database().db, actor.orgId);
    expect(after).toMatchObject({ status: "UNTESTED", lastTestError: null, lastTestAdvice: null, version: 2 });
    expect((await getEmailSettings(database().db, actor.orgId))?.status).toBe("UNTESTED");
  });

  it("binds the ciphertext to its organisation: copied to another org's row it fails to decrypt", async () => {
    const a = await newOrg(database().db, "Org A");
    const b = await newOrg(database().db, "Org B");
    await saveEmailSettings({ db: database().db, keyring }, a, form({ password: PASSWORD }));
    await saveEmailSettings({ db: database().db, keyring }, b, form({ password: NEW_PASSWORD }));
    const stolen = (await row(database().db, a.orgId)).passwordCiphertext;
    await database().db.emailSettings.update({ where: { orgId: b.orgId }, data: { passwordCiphertext: stolen } });

    const err = await rejection(readSavedPassword(database().db, keyring, b.orgId));
    expect(err).toBeInstanceOf(SecretDecryptError);
    expect((err as SecretDecryptError).reason).toBe("integrity");
    expect((err as Error).message).toMatch(/integrity check/);
    expect((err as Error).message).not.toContain(PASSWORD);
    expect(await readSavedPassword(database().db, keyring, a.orgId)).toBe(PASSWORD);
  });

  it("refuses a wrong key with a clear SecretDecryptError naming the key id, never garbage", async () => {
    const actor = await newOrg(database().db, "Wrong Key");
    await saveEmailSettings({ db: database().db, keyring }, actor, form({ password: PASSWORD }));
    const other = createKeyring([crypto.randomBytes(32)]);

    const err = await rejection(readSavedPassword(database().db, other, actor.orgId));
    expect(err).toBeInstanceOf(SecretDecryptError);
    expect((err as SecretDecryptError).reason).toBe("unknown-key");
    expect((err as Error).message).toContain(`key id ${keyIdOf(keyA)}`);
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it("refuses a tampered ciphertext with an integrity error", async () => {
    const actor = await newOrg(database().db, "Tampered");
    await saveEmailSettings({ db: database().db, keyring }, actor, form({ password: PASSWORD }));
    const token = (await row(database().db, actor.orgId)).passwordCiphertext!;
    const parts = token.split(".");
    const body = Buffer.from(parts[4], "base64url");
    body[0] ^= 1;
    parts[4] = body.toString("base64url");
    await database().db.emailSettings.update({
      where: { orgId: actor.orgId },
      data: { passwordCiphertext: parts.join(".") },
    });

    const err = await rejection(readSavedPassword(database().db, keyring, actor.orgId));
    expect(err).toBeInstanceOf(SecretDecryptError);
    expect((err as SecretDecryptError).reason).toBe("integrity");
  });
});

describe("the stored data", () => {
  it("never holds the plaintext password (SQLite: the file and its journal; PostgreSQL: a dump)", async () => {
    const t = await createTestDatabase("email-settings-bytes");
    try {
      const actor = await newOrg(t.db, "Bytes");
      await saveEmailSettings({ db: t.db, keyring }, actor, form({ password: PASSWORD }));
      await saveEmailSettings({ db: t.db, keyring }, actor, form({ password: NEW_PASSWORD, version: "1" }));
      await t.db.$disconnect();

      const bytes = await t.storedBytes();
      // The non-secret settings are there, so the bytes read are the ones written.
      expect(bytes.includes(Buffer.from("smtp.office365.com"))).toBe(true);
      expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false);
      expect(bytes.includes(Buffer.from(NEW_PASSWORD))).toBe(false);
      expect(bytes.includes(Buffer.from(PASSWORD, "utf16le"))).toBe(false);
    } finally {
      await t.drop();
    }
  });
});

describe("getEmailSettings and settingsHistory", () => {
  const database = useTestDatabase("email-settings-read");

  it("says whether a password is saved without ever selecting the ciphertext, before and after a key rotation", async () => {
    const selects: unknown[] = [];
    const watched = database().db.$extends({
      query: {
        emailSettings: {
          findUnique({ args, query }) {
            selects.push(args.select);
            return query(args);
          },
        },
      },
    }) as unknown as Db;

    const actor = await newOrg(database().db, "Read View");
    expect(await getEmailSettings(watched, actor.orgId)).toBeNull();
    await settingsRow(database().db, actor.orgId);
    expect(await getEmailSettings(watched, actor.orgId)).toMatchObject({
      hasPassword: false,
      passwordSavedAt: null,
      provider: "custom",
      replyTo: "",
    });

    const savedAt = new Date("2025-03-04T05:06:07Z");
    await saveEmailSettings({ db: database().db, keyring }, actor, form({ password: PASSWORD, version: "1" }), savedAt);
    expect(await getEmailSettings(watched, actor.orgId)).toMatchObject({
      hasPassword: true,
      passwordSavedAt: savedAt,
      version: 2,
    });

    // Rotation replaces the ciphertext only: the saved-at date, and so hasPassword, stay.
    await rotateStoredSecrets(database().db, createKeyring([crypto.randomBytes(32), keyA]));
    expect(await getEmailSettings(watched, actor.orgId)).toMatchObject({ hasPassword: true, passwordSavedAt: savedAt });

    expect(selects).toHaveLength(4);
    for (const select of selects) {
      expect(select).toBeTypeOf("object");
      expect(Object.keys(select as object)).not.toContain("passwordCiphertext");
    }
  });

  it("lists this organisation's saves newest first, at most `take`", async () => {
    const actor = await newOrg(database().db, "History");
    const other = await newOrg(database().db, "Other History");
    const event = (orgId: string, minute: number, action = EMAIL_SETTINGS_SAVED) =>
      database().db.auditEvent.create({
        data: {
          orgId,
          action,
          actorEmail: actor.email,
          details: { minute },
          createdAt: new Date(Date.UTC(2025, 0, 1, 9, minute)),
        },
      });
    for (const minute of [1, 3, 2]) await event(actor.orgId, minute);
    await event(actor.orgId, 4, "member.added");
    await event(other.orgId, 5);

    const history = await settingsHistory(database().db, actor.orgId);
    expect(history.map((h) => (h.details as { minute: number }).minute)).toEqual([3, 2, 1]);
    expect(Object.keys(history[0]).sort()).toEqual(["actorEmail", "createdAt", "details", "id"]);
    expect(history[0]).toMatchObject({ actorEmail: actor.email, createdAt: new Date(Date.UTC(2025, 0, 1, 9, 3)) });
    expect(
      (await settingsHistory(database().db, actor.orgId, 2)).map((h) => (h.details as { minute: number }).minute),
    ).toEqual([3, 2]);
  });
});

describe("rotateStoredSecrets", () => {
  const database = useTestDatabase("email-settings-rotate");

  it("re-encrypts every stored password and webhook secret under the new key, readable afterwards with the new key only", async () => {
    const oldKey = crypto.randomBytes(32);
    const newKey = crypto.randomBytes(32);
    const oldRing = createKeyring([oldKey]);
    const a = await newOrg(database().db, "Rotate A");
    const b = await newOrg(database().db, "Rotate B");
    await saveEmailSettings({ db: database().db, keyring: oldRing }, a, form({ password: PASSWORD }));
    await saveEmailSettings({ db: database().db, keyring: oldRing }, b, form({ password: NEW_PASSWORD }));
    const webhookSecret = await setWebhook(
      { db: database().db, keyring: oldRing },
      b.orgId,
      "https://hooks.example/finance",
    );
    const beforeA = await row(database().db, a.orgId);

    expect(await rotateStoredSecrets(database().db, createKeyring([newKey, oldKey]))).toEqual({ rotated: 4, total: 4 });

    const afterA = await row(database().db, a.orgId);
    expect(afterA.passwordKeyId).toBe(keyIdOf(newKey));
    expect(afterA.passwordCiphertext).not.toBe(beforeA.passwordCiphertext);
    expect(afterA.version).toBe(beforeA.version);
    expect((await row(database().db, b.orgId)).passwordKeyId).toBe(keyIdOf(newKey));

    const newOnly = createKeyring([newKey]);
    expect(await readSavedPassword(database().db, newOnly, a.orgId)).toBe(PASSWORD);
    expect(await readSavedPassword(database().db, newOnly, b.orgId)).toBe(NEW_PASSWORD);
    expect(await webhookTarget(database().db, newOnly, b.orgId)).toEqual({
      url: "https://hooks.example/finance",
      secret: webhookSecret,
    });
    const err = await rejection(readSavedPassword(database().db, oldRing, a.orgId));
    expect(err).toBeInstanceOf(SecretDecryptError);
    expect((err as SecretDecryptError).reason).toBe("unknown-key");

    // A second run finds nothing left to do.
    expect(await rotateStoredSecrets(database().db, newOnly)).toEqual({ rotated: 0, total: 4 });
    expect((await row(database().db, a.orgId)).passwordCiphertext).toBe(afterA.passwordCiphertext);
  });
});
