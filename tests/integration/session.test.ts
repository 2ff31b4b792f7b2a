// The member behind a session: Auth.js's auth() gives the user id (mocked here: it needs a request), and
// loadMemberContext reads the member through Prisma, on SQLite and again on PostgreSQL (TEST_DATABASE).
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import type { Role } from "@/lib/roles";
import { addMembership, createOrg, person } from "../helpers/factories";

const state = vi.hoisted((): { db: unknown; userId: string | undefined; sessionVersion: number | undefined } => ({
  db: undefined,
  userId: undefined,
  sessionVersion: 0,
}));
vi.mock("@/lib/db", () => ({
  get db() {
    return state.db;
  },
}));
vi.mock("@/lib/auth", () => ({
  auth: vi.fn(() =>
    Promise.resolve(
      state.userId
        ? {
            user: { id: state.userId },
            expires: new Date(Date.now() + 60_000).toISOString(),
            sessionVersion: state.sessionVersion,
          }
        : null,
    ),
  ),
}));

const { checkMember, getMemberContext, loadMemberContext } = await import("@/lib/session");
const { sessionExpired, sessionTokenCurrent } = await import("@/lib/session-token");
const { env } = await import("@/lib/env");

let t: TestDatabase;
let orgId: string;

beforeAll(async () => {
  t = await createTestDatabase("session");
  state.db = t.db;
  orgId = (await createOrg(t.db, "Riverside Clinic")).id;
  await person(t.db, orgId, { name: "First Owner", role: "OWNER" }); // setup is complete, so checkMember goes on to the session
});
afterAll(async () => {
  await t.drop();
});
beforeEach(() => {
  state.userId = undefined;
  state.sessionVersion = 0;
});

describe("loadMemberContext", () => {
  it("finds the member behind a user id: user, organisation, role and a real boolean for a pending password change", async () => {
    const admin = await person(t.db, orgId, { name: "Priya Admin", role: "ADMIN" });
    expect(await loadMemberContext(t.db, { userId: admin.id, sessionVersion: 0 })).toEqual({
      user: { id: admin.id, name: "Priya Admin", email: admin.email, mustChangePassword: false },
      org: { id: orgId, name: "Riverside Clinic", timeZone: "UTC" },
      role: "ADMIN",
      membershipId: expect.any(String) as unknown,
      sessionVersion: 0,
      actor: { userId: admin.id, email: admin.email, name: "Priya Admin", orgId, role: "ADMIN", sessionVersion: 0 },
    });
    const pending = await person(t.db, orgId, { name: "New Member", role: "MEMBER", mustChangePassword: true });
    const ctx = await loadMemberContext(t.db, { userId: pending.id, sessionVersion: 0 });
    expect(ctx?.user.mustChangePassword).toBe(true);
    expect(ctx?.role).toBe("MEMBER");
    expect(await loadMemberContext(t.db, { userId: "no-such-user", sessionVersion: 0 })).toBeNull();
  });

  it("never returns the password hash", async () => {
    const user = await person(t.db, orgId, { name: "Hash Check", role: "MEMBER" });
    expect(JSON.stringify(await loadMemberContext(t.db, { userId: user.id, sessionVersion: 0 }))).not.toContain(
      "not-used",
    );
  });

  it("uses the first organisation a user joined, and refuses a membership with an unknown role", async () => {
    const other = (await createOrg(t.db, "Second Org")).id;
    const user = await person(t.db, other, {
      name: "Two Orgs",
      role: "MEMBER",
      joinedAt: new Date("2026-01-01T00:00:00Z"),
    });
    await addMembership(t.db, user.id, orgId, { role: "OWNER", joinedAt: new Date("2026-06-01T00:00:00Z") });
    expect((await loadMemberContext(t.db, { userId: user.id, sessionVersion: 0 }))?.org.name).toBe("Second Org");

    // The role column is an enum: a membership with any other role is refused when it is written.
    await expect(person(t.db, other, { name: "Odd Role", role: "SUPERUSER" as Role })).rejects.toThrow(/role/);
    expect(await t.db.membership.count({ where: { orgId: other } })).toBe(1);
  });
});

describe("getMemberContext and checkMember, from Auth.js's session", () => {
  it("no session: no member, and checkMember sends to sign-in, remembering the path", async () => {
    expect(await getMemberContext()).toBeNull();
    expect(await checkMember()).toEqual({ redirectTo: "/sign-in" });
    expect(await checkMember({ path: "/settings/email?x=1" })).toEqual({
      redirectTo: "/sign-in?callbackUrl=%2Fsettings%2Femail%3Fx%3D1",
    });
  });

  it("a session whose user no longer exists counts as no session", async () => {
    state.userId = "deleted-user";
    expect(await checkMember()).toEqual({ redirectTo: "/sign-in" });
  });

  it("the session's user becomes the member; role and pending password change are enforced", async () => {
    const member = await person(t.db, orgId, { name: "Sam Member", role: "MEMBER" });
    state.userId = member.id;
    expect((await getMemberContext())?.user.id).toBe(member.id);
    expect(await checkMember()).toMatchObject({ ctx: { user: { id: member.id }, role: "MEMBER" } });
    expect(await checkMember({ minimum: "ADMIN" })).toEqual({ redirectTo: "/?denied=1" });

    const pending = await person(t.db, orgId, { name: "Pending Admin", role: "ADMIN", mustChangePassword: true });
    state.userId = pending.id;
    expect(await checkMember({ minimum: "ADMIN" })).toEqual({ redirectTo: "/change-password" });
    expect(await checkMember({ minimum: "ADMIN", allowPendingPasswordChange: true })).toMatchObject({
      ctx: { role: "ADMIN" },
    });
  });

  it("a token issued under an older session version is refused once the user's version moves on", async () => {
    const member = await person(t.db, orgId, { name: "Vera Version", role: "MEMBER" });
    state.userId = member.id;
    expect((await getMemberContext())?.user.id).toBe(member.id);
    await t.db.user.update({ where: { id: member.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await getMemberContext()).toBeNull();
    expect(await checkMember()).toEqual({ redirectTo: "/sign-in" });
    // A token issued after the change (at version 1) is fine; one without a version (from before versions) is not.
    state.sessionVersion = 1;
    expect((await getMemberContext())?.user.id).toBe(member.id);
    state.sessionVersion = undefined;
    expect(await getMemberContext()).toBeNull();
  });

  it("a sign-in older than SESSION_MAX_AGE_DAYS (7 by default) is refused, however recently the token was refreshed", async () => {
    const maxAge = env().sessionMaxAgeSeconds;
    expect(maxAge).toBe(7 * 86_400);
    const member = await person(t.db, orgId, { name: "Liz Lifetime", role: "MEMBER" });
    const now = Math.floor(Date.now() / 1000);
    const token = (signedInAt: number) => ({ sub: member.id, sessionVersion: 0, signedInAt });
    expect(await sessionTokenCurrent(t.db, token(now - maxAge + 120), maxAge)).toBe(true);
    expect(await sessionTokenCurrent(t.db, token(now - maxAge - 1), maxAge)).toBe(false);
    expect(sessionExpired(1000, 100, 1_099_999)).toBe(false);
    expect(sessionExpired(1000, 100, 1_100_000)).toBe(true);
  });

  it("Auth.js's check refuses a token from an older session version, a token without one, and an unknown user", async () => {
    const maxAge = env().sessionMaxAgeSeconds;
    const member = await person(t.db, orgId, { name: "Otto Older", role: "MEMBER" });
    const signedInAt = Math.floor(Date.now() / 1000) - 60;
    expect(await sessionTokenCurrent(t.db, { sub: member.id, sessionVersion: 0, signedInAt }, maxAge)).toBe(true);
    await t.db.user.update({ where: { id: member.id }, data: { sessionVersion: 3 } });
    expect(await sessionTokenCurrent(t.db, { sub: member.id, sessionVersion: 0, signedInAt }, maxAge)).toBe(false);
    expect(await sessionTokenCurrent(t.db, { sub: member.id, sessionVersion: 3, signedInAt }, maxAge)).toBe(true);
    expect(await sessionTokenCurrent(t.db, { sub: member.id, signedInAt }, maxAge)).toBe(false);
    expect(await sessionTokenCurrent(t.db, { sub: member.id, sessionVersion: 3 }, maxAge)).toBe(false);
    expect(await sessionTokenCurrent(t.db, { sub: "no-such-user", sessionVersion: 0, signedInAt }, maxAge)).toBe(false);
  });
});
