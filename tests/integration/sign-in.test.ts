import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { authenticate, THROTTLE } from "@/lib/sign-in";
import crypto from "node:crypto";
import { hashPassword, needsRehash } from "@/lib/password";

const PASSWORD = "correct mule staple 42";
const WINDOW = 15 * 60_000;
const T0 = new Date("2030-01-01T09:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

let t: TestDatabase;
let orgId: string;
let userId: string;

beforeAll(async () => {
  t = await createTestDatabase("sign-in");
  const org = await t.db.organisation.create({ data: { name: "Acme Finance" } });
  const user = await t.db.user.create({
    data: { email: "ana@example.com", name: "Ana Owner", passwordHash: await hashPassword(PASSWORD) },
  });
  await t.db.membership.create({ data: { userId: user.id, orgId: org.id, role: "OWNER" } });
  orgId = org.id;
  userId = user.id;
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.db.signInFailure.deleteMany();
  await t.db.auditEvent.deleteMany();
});

const attempt = (email: string, password: string, clientAddress: string | null, now?: Date) =>
  authenticate(t.db, { email, password, clientAddress }, now);

describe("authenticate", () => {
  it("replaces an earlier scrypt hash with argon2id at the next successful sign-in, and keeps it on a failure", async () => {
    const salt = crypto.randomBytes(16);
    const key = crypto.scryptSync("old scrypt passphrase 7", salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const old = ["scrypt", 32768, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    await t.db.user.create({ data: { email: "olde@example.com", name: "Olde", passwordHash: old } });
    const stored = async () => (await t.db.user.findUniqueOrThrow({ where: { email: "olde@example.com" }, omit: { passwordHash: false } })).passwordHash;
    expect((await attempt("olde@example.com", "a wrong guess", null)).ok).toBe(false);
    expect(await stored()).toBe(old);
    expect((await attempt("olde@example.com", "old scrypt passphrase 7", null)).ok).toBe(true);
    const upgraded = await stored();
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(upgraded)).toBe(false);
    expect((await attempt("olde@example.com", "old scrypt passphrase 7", null)).ok).toBe(true);
  });

  it("a temporary password from an admin works until it expires, then is refused as expired (not as wrong)", async () => {
    await t.db.user.create({
      data: {
        email: "newbie@example.com",
        name: "Newbie",
        passwordHash: await hashPassword("temp-pass-ABCDE-12345"),
        mustChangePassword: true,
        temporaryPasswordExpiresAt: at(72 * 3_600_000),
      },
    });
    expect((await attempt("newbie@example.com", "temp-pass-ABCDE-12345", null, at(71 * 3_600_000))).ok).toBe(true);
    expect(await attempt("newbie@example.com", "temp-pass-ABCDE-12345", null, at(72 * 3_600_000))).toEqual({ ok: false, reason: "expired" });
    // A wrong guess is still just wrong, and an expired one counts as no failure.
    expect(await attempt("newbie@example.com", "other", null, at(73 * 3_600_000))).toEqual({ ok: false, reason: "invalid" });
    expect(await t.db.signInFailure.count({ where: { key: "email:newbie@example.com" } })).toBe(1);
  });

  it("the window is 5 failures in 15 minutes", () => {
    expect(THROTTLE).toEqual({ maxFailures: 5, windowMs: WINDOW });
  });

  it("signs in with the right password and records it", async () => {
    const result = await attempt("ana@example.com", PASSWORD, "203.0.113.1");
    expect(result).toEqual({ ok: true, user: { id: userId, email: "ana@example.com", name: "Ana Owner" } });
    const events = await t.db.auditEvent.findMany();
    expect(events).toEqual([expect.objectContaining({ orgId, actorId: userId, action: "sign_in.succeeded" })]);
  });

  it("gives the same answer for a wrong password and an unknown email", async () => {
    const wrong = await attempt("ana@example.com", "not the password", "203.0.113.1");
    const unknown = await attempt("nobody@example.com", PASSWORD, "203.0.113.2");
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual(wrong);

    // both count towards the throttle; only the real account gets an audit line
    expect(await t.db.signInFailure.count({ where: { key: "email:ana@example.com" } })).toBe(1);
    expect(await t.db.signInFailure.count({ where: { key: "email:nobody@example.com" } })).toBe(1);
    expect(await t.db.signInFailure.count({ where: { key: "ip:203.0.113.1" } })).toBe(1);
    const events = await t.db.auditEvent.findMany();
    expect(events).toEqual([expect.objectContaining({ orgId, actorId: userId, action: "sign_in.failed" })]);
    expect(events[0].details).not.toContain("not the password");
  });

  it("throttles an email after 5 failures, even with the right password, until the first leaves the window", async () => {
    // Different client addresses, so only the per-email count can trip.
    for (let i = 0; i < 5; i++) {
      expect(await attempt("ana@example.com", `wrong ${i}`, `198.51.100.${i}`, at(i * 60_000))).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    const sixth = await attempt("ana@example.com", PASSWORD, "198.51.100.99", at(5 * 60_000));
    expect(sixth).toEqual({ ok: false, reason: "throttled", retryAt: at(WINDOW) });
    // retryAt is about 15 minutes after the attempt that started the run
    if (!sixth.ok && sixth.reason === "throttled") {
      expect(sixth.retryAt.getTime() - at(5 * 60_000).getTime()).toBe(10 * 60_000);
    }
    // a throttled attempt is not checked and not counted
    expect(await t.db.signInFailure.count({ where: { key: "email:ana@example.com" } })).toBe(5);

    expect((await attempt("ana@example.com", PASSWORD, null, at(WINDOW - 1))).ok).toBe(false);
    // (at exactly retryAt the oldest failure is still inside the inclusive window; 1 ms later it is not)
    expect(await attempt("ana@example.com", PASSWORD, null, at(WINDOW + 1))).toMatchObject({ ok: true });
  });

  it("the 6th attempt right after 5 quick failures waits about 15 minutes", async () => {
    const now = new Date();
    for (let i = 0; i < 5; i++) await attempt("ana@example.com", "wrong", null, now);
    const result = await attempt("ana@example.com", PASSWORD, null, now);
    expect(result).toMatchObject({ ok: false, reason: "throttled" });
    if (!result.ok && result.reason === "throttled") {
      expect(result.retryAt.getTime() - now.getTime()).toBe(WINDOW);
    }
  });

  it("does not throttle after 4 failures", async () => {
    for (let i = 0; i < 4; i++) await attempt("ana@example.com", "wrong", null, at(i * 1000));
    expect(await attempt("ana@example.com", PASSWORD, null, at(5000))).toMatchObject({ ok: true });
  });

  it("clears the email's failures after a successful sign-in", async () => {
    for (let i = 0; i < 4; i++) await attempt("ana@example.com", "wrong", null, at(i * 1000));
    expect((await attempt("ana@example.com", PASSWORD, null, at(5000))).ok).toBe(true);
    for (let i = 0; i < 4; i++) await attempt("ana@example.com", "wrong", null, at(6000 + i * 1000));
    expect((await attempt("ana@example.com", PASSWORD, null, at(11_000))).ok).toBe(true);
  });

  it("throttles a client address after 5 failures across different emails", async () => {
    const ip = "192.0.2.44";
    for (let i = 0; i < 5; i++) {
      expect(await attempt(`guess${i}@example.com`, "wrong", ip, at(i * 1000))).toEqual({ ok: false, reason: "invalid" });
    }
    // the right password for a real account, from that address: refused
    expect(await attempt("ana@example.com", PASSWORD, ip, at(10_000))).toEqual({
      ok: false,
      reason: "throttled",
      retryAt: at(WINDOW),
    });
    // the same account from another address is fine: the email itself has no failures
    expect(await attempt("ana@example.com", PASSWORD, "192.0.2.45", at(10_000))).toMatchObject({ ok: true });
  });

  it("ignores failures older than 15 minutes", async () => {
    const ip = "192.0.2.50";
    for (let i = 0; i < 5; i++) await attempt("ana@example.com", "wrong", ip, at(i * 1000));
    expect((await attempt("ana@example.com", PASSWORD, ip, at(4000 + 1))).ok).toBe(false);

    // 16 minutes after the last failure: none of them counts any more
    expect(await attempt("ana@example.com", PASSWORD, ip, at(4000 + 16 * 60_000))).toMatchObject({ ok: true });
  });

  it("counts only the failures inside the window", async () => {
    // 3 old failures, then 4 recent ones: 4 < 5, so not throttled
    for (let i = 0; i < 3; i++) await attempt("ana@example.com", "wrong", null, at(i * 1000));
    const later = 20 * 60_000;
    for (let i = 0; i < 4; i++) await attempt("ana@example.com", "wrong", null, at(later + i * 1000));
    expect(await attempt("ana@example.com", PASSWORD, null, at(later + 5000))).toMatchObject({ ok: true });
  });

  it("prunes failures that left the window when it records a new one", async () => {
    await attempt("ana@example.com", "wrong", "192.0.2.60", at(0));
    expect(await t.db.signInFailure.count()).toBe(2);
    await attempt("ana@example.com", "wrong", "192.0.2.60", at(WINDOW + 60_000));
    expect(await t.db.signInFailure.count()).toBe(2);
  });
});
