import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { addMembership, createOrg, person } from "../helpers/factories";
import type { Actor } from "@/lib/actor";
import { addMember, changeRole, listMembers, removeMember, resetMemberPassword } from "@/lib/members";
import { authenticate } from "@/lib/sign-in";
import { UserFacingError } from "@/lib/errors";
import { hashPassword, verifyPassword } from "@/lib/password";
import type { Role } from "@/lib/roles";

let t: TestDatabase;
let seedHash: string;
const temporaryPasswords: string[] = [];

/** A user with a membership, and the Actor the app would build for them after loading that membership. */
async function seedMember(orgId: string, email: string, role: Role) {
  const { membership, ...user } = await person(t.db, orgId, { email, passwordHash: seedHash, role });
  const actor: Pick<Actor, "userId" | "email" | "orgId" | "role"> = { userId: user.id, email, orgId, role };
  return { user, membership, actor };
}

type Owner = Awaited<ReturnType<typeof seedMember>>;

/** Two owners of a new organisation act on each other at the same time: exactly one wins, and one owner is left. */
async function expectOneOwnerAfterRace(
  orgName: string,
  domain: string,
  act: (by: Owner, on: Owner) => Promise<unknown>,
) {
  const org = await createOrg(t.db, orgName);
  const a = await seedMember(org.id, `a@${domain}`, "OWNER");
  const b = await seedMember(org.id, `b@${domain}`, "OWNER");

  const results = await Promise.allSettled([act(a, b), act(b, a)]);
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  expect(await t.db.membership.count({ where: { orgId: org.id, role: "OWNER" } })).toBe(1);
}

async function rejection(promise: Promise<unknown>): Promise<UserFacingError> {
  const err = await promise.then(
    () => {
      throw new Error("expected a UserFacingError, but the call succeeded");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  return err as UserFacingError;
}

const roleOf = async (membershipId: string) =>
  (await t.db.membership.findUnique({ where: { id: membershipId } }))?.role ?? null;

beforeAll(async () => {
  t = await createTestDatabase("members");
  seedHash = await hashPassword("seed password for everyone");
});
afterAll(async () => {
  await t.drop();
});

describe("addMember", () => {
  it("creates the user with a temporary password that must be changed, and records it", async () => {
    const org = await createOrg(t.db, "Add Org");
    const { actor } = await seedMember(org.id, "owner@add.example", "OWNER");

    const now = new Date("2031-05-06T07:08:09Z");
    const { membership, temporaryPassword } = await addMember(
      t.db,
      actor,
      { email: "new@add.example", name: "New Person", role: "MEMBER" },
      now,
    );
    temporaryPasswords.push(temporaryPassword);
    expect(membership).toMatchObject({ orgId: org.id, role: "MEMBER" });

    const user = await t.db.user.findUniqueOrThrow({
      where: { email: "new@add.example" },
      omit: { passwordHash: false },
    });
    expect(user.id).toBe(membership.userId);
    expect(user.name).toBe("New Person");
    expect(user.mustChangePassword).toBe(true);
    // The temporary password works for 72 hours.
    expect(user.temporaryPasswordExpiresAt).toEqual(new Date("2031-05-09T07:08:09Z"));
    expect(await verifyPassword(temporaryPassword, user.passwordHash)).toBe(true);
    expect(await verifyPassword("seed password for everyone", user.passwordHash)).toBe(false);

    const events = await t.db.auditEvent.findMany({ where: { orgId: org.id } });
    expect(events).toEqual([
      expect.objectContaining({ actorId: actor.userId, actorEmail: actor.email, action: "member.added" }),
    ]);
    expect(events[0].details).toEqual({ email: "new@add.example", name: "New Person", role: "MEMBER" });

    const listed = await listMembers(t.db, org.id);
    expect(listed.map((m) => [m.user.email, m.role])).toEqual([
      ["owner@add.example", "OWNER"],
      ["new@add.example", "MEMBER"],
    ]);
    expect(listed[1].user).not.toHaveProperty("passwordHash");
  });

  it("refuses an email that already has an account, on the email field, in any organisation", async () => {
    const org = await createOrg(t.db, "Dup Org");
    const other = await createOrg(t.db, "Dup Other Org");
    const { actor } = await seedMember(org.id, "owner@dup.example", "OWNER");
    await seedMember(other.id, "taken@dup.example", "MEMBER");

    const err = await rejection(addMember(t.db, actor, { email: "taken@dup.example", name: "Again", role: "MEMBER" }));
    expect(err.field).toBe("email");
    expect(err.message).toBe("An account with this email already exists.");
    expect(await t.db.membership.count({ where: { orgId: org.id } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { orgId: org.id } })).toBe(0);
  });

  it("lets an admin add admins and members but not owners", async () => {
    const org = await createOrg(t.db, "Admin Add Org");
    await seedMember(org.id, "owner@adminadd.example", "OWNER");
    const { actor: admin } = await seedMember(org.id, "admin@adminadd.example", "ADMIN");

    const err = await rejection(
      addMember(t.db, admin, { email: "boss@adminadd.example", name: "Boss", role: "OWNER" }),
    );
    expect(err.field).toBe("role");
    expect(await t.db.user.findUnique({ where: { email: "boss@adminadd.example" } })).toBeNull();

    const added = await addMember(t.db, admin, { email: "helper@adminadd.example", name: "Helper", role: "ADMIN" });
    temporaryPasswords.push(added.temporaryPassword);
    expect(added.membership.role).toBe("ADMIN");
  });

  it("refuses a plain member", async () => {
    const org = await createOrg(t.db, "Member Add Org");
    const { actor: member } = await seedMember(org.id, "member@memberadd.example", "MEMBER");
    await rejection(addMember(t.db, member, { email: "friend@memberadd.example", name: "Friend", role: "MEMBER" }));
    expect(await t.db.user.findUnique({ where: { email: "friend@memberadd.example" } })).toBeNull();
  });
});

describe("changeRole", () => {
  it("lets an owner promote a member, and records from and to", async () => {
    const org = await createOrg(t.db, "Promote Org");
    const { actor: owner } = await seedMember(org.id, "owner@promote.example", "OWNER");
    const { membership } = await seedMember(org.id, "m@promote.example", "MEMBER");

    await changeRole(t.db, owner, membership.id, "ADMIN");
    expect(await roleOf(membership.id)).toBe("ADMIN");
    await changeRole(t.db, owner, membership.id, "OWNER");
    expect(await roleOf(membership.id)).toBe("OWNER");

    const events = await t.db.auditEvent.findMany({ where: { orgId: org.id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => [e.action, e.details])).toEqual([
      ["member.role_changed", { email: "m@promote.example", from: "Member", to: "Admin" }],
      ["member.role_changed", { email: "m@promote.example", from: "Admin", to: "Owner" }],
    ]);
  });

  it("does not let an admin change an owner's role or make anyone an owner", async () => {
    const org = await createOrg(t.db, "Admin Change Org");
    const { membership: ownerMembership } = await seedMember(org.id, "owner@adminchange.example", "OWNER");
    const { actor: admin } = await seedMember(org.id, "admin@adminchange.example", "ADMIN");
    const { membership: member } = await seedMember(org.id, "m@adminchange.example", "MEMBER");

    await rejection(changeRole(t.db, admin, ownerMembership.id, "MEMBER"));
    expect(await roleOf(ownerMembership.id)).toBe("OWNER");
    await rejection(changeRole(t.db, admin, member.id, "OWNER"));
    expect(await roleOf(member.id)).toBe("MEMBER");

    await changeRole(t.db, admin, member.id, "ADMIN");
    expect(await roleOf(member.id)).toBe("ADMIN");
  });

  it("refuses to demote the last owner, and allows it once there is another", async () => {
    const org = await createOrg(t.db, "Last Owner Org");
    const { actor: owner, membership } = await seedMember(org.id, "owner@last.example", "OWNER");
    const { membership: second } = await seedMember(org.id, "second@last.example", "ADMIN");

    const err = await rejection(changeRole(t.db, owner, membership.id, "ADMIN"));
    expect(err.message).toMatch(/at least one owner/);
    expect(await roleOf(membership.id)).toBe("OWNER");

    await changeRole(t.db, owner, second.id, "OWNER");
    await changeRole(t.db, owner, membership.id, "ADMIN");
    expect(await roleOf(membership.id)).toBe("ADMIN");
    expect(await t.db.membership.count({ where: { orgId: org.id, role: "OWNER" } })).toBe(1);
  });

  it("keeps one owner when two owners demote each other at the same time", async () => {
    await expectOneOwnerAfterRace("Race Demote Org", "racedemote.example", (by, on) =>
      changeRole(t.db, by.actor, on.membership.id, "ADMIN"),
    );
  });

  it("does not find a membership of another organisation", async () => {
    const mine = await createOrg(t.db, "Scope Org A");
    const theirs = await createOrg(t.db, "Scope Org B");
    const { actor: owner } = await seedMember(mine.id, "owner@scope-a.example", "OWNER");
    const { membership: foreign } = await seedMember(theirs.id, "m@scope-b.example", "MEMBER");

    const err = await rejection(changeRole(t.db, owner, foreign.id, "ADMIN"));
    expect(err.message).toBe("That member is no longer in this organisation.");
    expect(await roleOf(foreign.id)).toBe("MEMBER");
    expect(await t.db.auditEvent.count({ where: { orgId: { in: [mine.id, theirs.id] } } })).toBe(0);
  });
});

describe("removeMember", () => {
  it("removes the membership and deletes the user, and records it", async () => {
    const org = await createOrg(t.db, "Remove Org");
    const { actor: owner } = await seedMember(org.id, "owner@remove.example", "OWNER");
    const { membership, user } = await seedMember(org.id, "leaver@remove.example", "ADMIN");

    await removeMember(t.db, owner, membership.id);
    expect(await t.db.membership.findUnique({ where: { id: membership.id } })).toBeNull();
    expect(await t.db.user.findUnique({ where: { id: user.id } })).toBeNull();

    const events = await t.db.auditEvent.findMany({ where: { orgId: org.id } });
    expect(events.map((e) => [e.action, e.actorId, e.details])).toEqual([
      ["member.removed", owner.userId, { email: "leaver@remove.example", role: "Admin" }],
    ]);
  });

  it("a removed person who keeps an account elsewhere still loses every session", async () => {
    const org = await createOrg(t.db, "Remove Sessions Org");
    const { actor: owner } = await seedMember(org.id, "owner@sessions.example", "OWNER");
    const { membership, user } = await seedMember(org.id, "two-hats@sessions.example", "MEMBER");
    await addMembership(t.db, user.id, (await createOrg(t.db, "Other Hat")).id, { role: "MEMBER" });
    await removeMember(t.db, owner, membership.id);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(1);
  });

  it("does not let an admin remove an owner", async () => {
    const org = await createOrg(t.db, "Admin Remove Org");
    const { membership: ownerMembership } = await seedMember(org.id, "owner@adminremove.example", "OWNER");
    const { actor: admin } = await seedMember(org.id, "admin@adminremove.example", "ADMIN");
    const { membership: member } = await seedMember(org.id, "m@adminremove.example", "MEMBER");

    const err = await rejection(removeMember(t.db, admin, ownerMembership.id));
    expect(err.message).toBe("Only an owner can remove an owner.");
    expect(await roleOf(ownerMembership.id)).toBe("OWNER");

    await removeMember(t.db, admin, member.id);
    expect(await roleOf(member.id)).toBeNull();
  });

  it("does not let a member remove anyone", async () => {
    const org = await createOrg(t.db, "Member Remove Org");
    const { actor: member } = await seedMember(org.id, "m1@memberremove.example", "MEMBER");
    const { membership: other } = await seedMember(org.id, "m2@memberremove.example", "MEMBER");
    await rejection(removeMember(t.db, member, other.id));
    expect(await roleOf(other.id)).toBe("MEMBER");
  });

  it("does not let anyone remove themselves, so the last owner stays", async () => {
    const org = await createOrg(t.db, "Self Remove Org");
    const { actor: owner, membership } = await seedMember(org.id, "owner@selfremove.example", "OWNER");
    const err = await rejection(removeMember(t.db, owner, membership.id));
    expect(err.message).toMatch(/cannot remove yourself/);
    expect(await roleOf(membership.id)).toBe("OWNER");
  });

  it("refuses to remove the last owner even for an actor whose owner role is out of date", async () => {
    // b was an owner when their session began, then was demoted; the database is the authority.
    const org = await createOrg(t.db, "Stale Owner Org");
    const a = await seedMember(org.id, "a@stale.example", "OWNER");
    const b = await seedMember(org.id, "b@stale.example", "ADMIN");
    const err = await rejection(removeMember(t.db, { ...b.actor, role: "OWNER" }, a.membership.id));
    expect(err.message).toMatch(/at least one owner/);
    expect(await roleOf(a.membership.id)).toBe("OWNER");
  });

  it("keeps one owner when two owners remove each other at the same time", async () => {
    await expectOneOwnerAfterRace("Race Remove Org", "raceremove.example", (by, on) =>
      removeMember(t.db, by.actor, on.membership.id),
    );
  });

  it("does not find a membership of another organisation", async () => {
    const mine = await createOrg(t.db, "Remove Scope A");
    const theirs = await createOrg(t.db, "Remove Scope B");
    const { actor: owner } = await seedMember(mine.id, "owner@rscope-a.example", "OWNER");
    const { membership: foreign, user } = await seedMember(theirs.id, "m@rscope-b.example", "MEMBER");

    const err = await rejection(removeMember(t.db, owner, foreign.id));
    expect(err.message).toBe("That member is no longer in this organisation.");
    expect(await roleOf(foreign.id)).toBe("MEMBER");
    expect(await t.db.user.findUnique({ where: { id: user.id } })).not.toBeNull();
  });
});

describe("resetMemberPassword", () => {
  const versionOf = async (userId: string) =>
    (await t.db.user.findUniqueOrThrow({ where: { id: userId } })).sessionVersion;

  it("gives a new temporary password, ends every session, stops the old password and records it", async () => {
    const org = await createOrg(t.db, "Reset Org");
    const { actor } = await seedMember(org.id, "owner@reset.example", "OWNER");
    const { user, membership } = await seedMember(org.id, "forgot@reset.example", "MEMBER");
    const now = new Date();
    const result = await resetMemberPassword(t.db, actor, membership.id, now);
    temporaryPasswords.push(result.temporaryPassword);
    expect(result).toMatchObject({ email: "forgot@reset.example", name: "forgot" });

    const after = await t.db.user.findUniqueOrThrow({ where: { id: user.id }, omit: { passwordHash: false } });
    expect(after.sessionVersion).toBe(user.sessionVersion + 1);
    expect(after.mustChangePassword).toBe(true);
    expect(after.temporaryPasswordExpiresAt?.getTime()).toBe(now.getTime() + 72 * 3_600_000);
    expect(await verifyPassword(result.temporaryPassword, after.passwordHash)).toBe(true);
    const signIn = (password: string) =>
      authenticate(
        t.db,
        { email: "forgot@reset.example", password, clientAddress: "192.0.2.9" },
        { wait: () => Promise.resolve() },
      );
    expect(await signIn("seed password for everyone")).toEqual({ ok: false, reason: "invalid" });
    expect(await signIn(result.temporaryPassword)).toMatchObject({
      ok: true,
      user: { sessionVersion: after.sessionVersion },
    });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: "member.password_reset" } });
    expect(event).toMatchObject({ actorId: actor.userId, details: { email: "forgot@reset.example" } });
  });

  it("an admin may not reset an owner, no one resets themselves, a member resets no one, and another organisation is out of reach", async () => {
    const org = await createOrg(t.db, "Reset Rules Org");
    const owner = await seedMember(org.id, "owner@rules.example", "OWNER");
    const admin = await seedMember(org.id, "admin@rules.example", "ADMIN");
    const member = await seedMember(org.id, "member@rules.example", "MEMBER");
    const elsewhere = await seedMember((await createOrg(t.db, "Elsewhere")).id, "x@elsewhere.example", "MEMBER");
    expect((await rejection(resetMemberPassword(t.db, admin.actor, owner.membership.id))).message).toBe(
      "Only an owner can reset the password of an owner.",
    );
    expect((await rejection(resetMemberPassword(t.db, owner.actor, owner.membership.id))).message).toBe(
      "To change your own password, use Change password.",
    );
    await rejection(resetMemberPassword(t.db, member.actor, admin.membership.id));
    expect((await rejection(resetMemberPassword(t.db, owner.actor, elsewhere.membership.id))).message).toBe(
      "That member is no longer in this organisation.",
    );
    for (const { user } of [owner, admin, elsewhere]) expect(await versionOf(user.id)).toBe(0);
    // An admin may reset a member.
    const { temporaryPassword } = await resetMemberPassword(t.db, admin.actor, member.membership.id);
    temporaryPasswords.push(temporaryPassword);
    expect(await versionOf(member.user.id)).toBe(1);
  });
});

describe("audit trail", () => {
  it("never holds a password or a password hash", async () => {
    const events = await t.db.auditEvent.findMany();
    expect(events.length).toBeGreaterThan(5);
    expect(temporaryPasswords.length).toBeGreaterThan(0);
    const hashes = (await t.db.user.findMany({ omit: { passwordHash: false } })).map((u) => u.passwordHash);
    const text = JSON.stringify(events);
    for (const secret of [...temporaryPasswords, ...hashes, seedHash, "seed password for everyone"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/scrypt\$/);
    // No field but the action's name mentions a password at all.
    expect(JSON.stringify(events.map(({ action: _action, ...rest }) => rest)).toLowerCase()).not.toContain("password");
  });
});
