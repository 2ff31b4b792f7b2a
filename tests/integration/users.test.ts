import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, person } from "../helpers/factories";
import { changePassword, endAllSessions, provisionUser } from "@/lib/users";
import { UserFacingError } from "@/lib/errors";
import { hashPassword, verifyPassword } from "@/lib/password";

let t: TestDatabase;
let orgId: string;

beforeAll(async () => {
  t = await createTestDatabase("users");
  orgId = (await createOrg(t.db, "Acme Finance")).id;
});
afterAll(async () => {
  await t.drop();
});

async function storedHash(userId: string) {
  return (await t.db.user.findUniqueOrThrow({ where: { id: userId }, omit: { passwordHash: false } })).passwordHash;
}

describe("changePassword", () => {
  async function newcomer(email: string) {
    const user = await person(t.db, orgId, {
      email,
      name: "Newcomer",
      passwordHash: await hashPassword("temporary-pass-1"),
      mustChangePassword: true,
      role: "MEMBER",
    });
    return { id: user.id, email, orgId };
  }

  it("refuses a wrong current password and changes nothing", async () => {
    const user = await newcomer("wrong@example.com");
    const before = await storedHash(user.id);
    const err = await changePassword(t.db, user, {
      currentPassword: "not-the-current",
      newPassword: "brand new passphrase",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as UserFacingError).field).toBe("currentPassword");
    expect(await storedHash(user.id)).toBe(before);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).mustChangePassword).toBe(true);
    expect(await t.db.auditEvent.count({ where: { actorId: user.id } })).toBe(0);
  });

  it("stores the new password, clears mustChangePassword and records the change", async () => {
    const user = await newcomer("right@example.com");
    await t.db.user.update({
      where: { id: user.id },
      data: { temporaryPasswordExpiresAt: new Date(Date.now() + 3_600_000) },
    });
    await changePassword(t.db, user, { currentPassword: "temporary-pass-1", newPassword: "brand new passphrase" });
    // The member's own password does not expire.
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).temporaryPasswordExpiresAt).toBeNull();

    const hash = await storedHash(user.id);
    expect(await verifyPassword("brand new passphrase", hash)).toBe(true);
    expect(await verifyPassword("temporary-pass-1", hash)).toBe(false);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).mustChangePassword).toBe(false);

    const events = await t.db.auditEvent.findMany({ where: { actorId: user.id } });
    expect(events).toEqual([expect.objectContaining({ orgId, action: "user.password_changed", details: {} })]);
    // Every session made with the old password ends (lib/session.ts refuses the older version).
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(1);
  });

  it("a wrong current password leaves the sessions alone; sign out everywhere ends them and is recorded", async () => {
    const user = await newcomer("sessions@example.com");
    await changePassword(t.db, user, { currentPassword: "wrong", newPassword: "brand new passphrase" }).catch(
      () => undefined,
    );
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(0);
    await endAllSessions(t.db, user);
    await endAllSessions(t.db, user);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(2);
    expect(await t.db.auditEvent.count({ where: { actorId: user.id, action: "user.signed_out_everywhere" } })).toBe(2);
  });

  it("after 5 wrong current passwords in 15 minutes even the right one is refused, until the first leaves the window", async () => {
    const user = await newcomer("guessed@example.com");
    const T0 = new Date("2031-02-03T10:00:00Z");
    const at = (ms: number) => new Date(T0.getTime() + ms);
    for (let i = 0; i < 5; i++) {
      const err = await changePassword(
        t.db,
        user,
        { currentPassword: `guess-${i}`, newPassword: "brand new passphrase" },
        at(i * 1000),
      ).catch((e: unknown) => e);
      expect((err as Error).message).toBe("That is not your current password.");
    }
    const paused = await changePassword(
      t.db,
      user,
      { currentPassword: "temporary-pass-1", newPassword: "brand new passphrase" },
      at(10_000),
    ).catch((e: unknown) => e);
    expect(paused).toBeInstanceOf(UserFacingError);
    expect((paused as UserFacingError).message).toBe(
      "Too many wrong current passwords. Try again in 15 minutes, or ask an owner to reset your access.",
    );
    expect(await verifyPassword("temporary-pass-1", await storedHash(user.id))).toBe(true);
    // The first failure leaves the window: the right password goes through.
    await changePassword(
      t.db,
      user,
      { currentPassword: "temporary-pass-1", newPassword: "brand new passphrase" },
      at(15 * 60_000 + 1000),
    );
    expect(await verifyPassword("brand new passphrase", await storedHash(user.id))).toBe(true);
  });

  it("20 parallel guesses check the password at most 5 times", async () => {
    const user = await newcomer("parallel@example.com");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        changePassword(t.db, user, { currentPassword: `guess-${i}`, newPassword: "brand new passphrase" }).catch(
          (e: unknown) => (e as Error).message,
        ),
      ),
    );
    const checked = results.filter((m) => m === "That is not your current password.").length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(
      results.filter((m) => typeof m === "string" && m.startsWith("Too many wrong current passwords")).length,
    ).toBe(20 - checked);
  });

  it("refuses a user that does not exist", async () => {
    const err = await changePassword(
      t.db,
      { id: "missing", email: "x@example.com", orgId },
      { currentPassword: "a", newPassword: "brand new passphrase" },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
  });
});

describe("provisionUser", () => {
  it("adds a user to an existing organisation with a usable password", async () => {
    const { user, org } = await provisionUser(t.db, {
      email: "cli@example.com",
      name: "Cli User",
      password: "provisioned passphrase",
      orgName: "Acme Finance",
      role: "ADMIN",
    });
    expect(org.id).toBe(orgId);
    expect(user.mustChangePassword).toBe(false);
    expect(await verifyPassword("provisioned passphrase", await storedHash(user.id))).toBe(true);
    expect(await t.db.membership.findFirst({ where: { userId: user.id } })).toMatchObject({ orgId, role: "ADMIN" });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { orgId, action: "member.added" } });
    expect(event.actorId).toBeNull();
    expect(event.details).toEqual({ email: "cli@example.com", name: "Cli User", role: "ADMIN", via: "command line" });
  });

  it("refuses a duplicate email and an unknown organisation, creating nothing", async () => {
    const users = await t.db.user.count();
    for (const [refused, field] of [
      [{ email: "cli@example.com", name: "Again", orgName: "Acme Finance" }, "email"],
      [{ email: "nobody-org@example.com", name: "Lost", orgName: "No Such Org" }, "org"],
    ] as const) {
      const err = await provisionUser(t.db, {
        ...refused,
        password: "provisioned passphrase",
        role: "MEMBER",
      }).catch((e: unknown) => e);
      expect(err, refused.email).toBeInstanceOf(UserFacingError);
      expect((err as UserFacingError).field, refused.email).toBe(field);
    }
    expect(await t.db.user.count()).toBe(users);
    expect(await t.db.organisation.count({ where: { name: "No Such Org" } })).toBe(0);
  });

  it("creates the organisation when asked", async () => {
    const { org } = await provisionUser(t.db, {
      email: "founder@example.com",
      name: "Founder",
      password: "provisioned passphrase",
      orgName: "New Org",
      role: "OWNER",
      createOrg: true,
    });
    expect(org.name).toBe("New Org");
    expect(await t.db.membership.count({ where: { orgId: org.id, role: "OWNER" } })).toBe(1);
  });
});
