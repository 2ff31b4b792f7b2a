import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, createUser, person } from "../helpers/factories";
import { authenticate, slowdownMs } from "@/lib/sign-in";
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
  const org = await createOrg(t.db, "Acme Finance");
  const user = await person(t.db, org.id, {
    email: "ana@example.com",
    name: "Ana Owner",
    passwordHash: await hashPassword(PASSWORD),
    role: "OWNER",
  });
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

// Waits the slowdown asks for are recorded, not slept, so the tests can check them without taking seconds.
let waits: number[] = [];
const attempt = (email: string, password: string, clientAddress: string | null, now?: Date) =>
  authenticate(t.db, { email, password, clientAddress }, now, (ms) => {
    waits.push(ms);
    return Promise.resolve();
  });
beforeEach(() => {
  waits = [];
});

describe("authenticate", () => {
  it("replaces an earlier scrypt hash with argon2id at the next successful sign-in, and keeps it on a failure", async () => {
    const salt = crypto.randomBytes(16);
    const key = crypto.scryptSync("old scrypt passphrase 7", salt, 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    const old = ["scrypt", 32768, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    await createUser(t.db, { email: "olde@example.com", name: "Olde", passwordHash: old });
    const stored = async () =>
      (await t.db.user.findUniqueOrThrow({ where: { email: "olde@example.com" }, omit: { passwordHash: false } }))
        .passwordHash;
    expect((await attempt("olde@example.com", "a wrong guess", null)).ok).toBe(false);
    expect(await stored()).toBe(old);
    expect((await attempt("olde@example.com", "old scrypt passphrase 7", null)).ok).toBe(true);
    const upgraded = await stored();
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(upgraded)).toBe(false);
    expect((await attempt("olde@example.com", "old scrypt passphrase 7", null)).ok).toBe(true);
  });

  it("a temporary password from an admin works until it expires, then is refused as expired (not as wrong)", async () => {
    await createUser(t.db, {
      email: "newbie@example.com",
      name: "Newbie",
      passwordHash: await hashPassword("temp-pass-ABCDE-12345"),
      mustChangePassword: true,
      temporaryPasswordExpiresAt: at(72 * 3_600_000),
    });
    expect((await attempt("newbie@example.com", "temp-pass-ABCDE-12345", null, at(71 * 3_600_000))).ok).toBe(true);
    expect(await attempt("newbie@example.com", "temp-pass-ABCDE-12345", null, at(72 * 3_600_000))).toEqual({
      ok: false,
      reason: "expired",
    });
    // A wrong guess is still just wrong, and an expired one counts as no failure.
    expect(await attempt("newbie@example.com", "other", null, at(73 * 3_600_000))).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await t.db.signInFailure.count({ where: { key: { startsWith: "email+ip:newbie@example.com|" } } })).toBe(1);
  });

  it("signs in with the right password and records it", async () => {
    const result = await attempt("ana@example.com", PASSWORD, "203.0.113.1");
    expect(result).toEqual({
      ok: true,
      user: { id: userId, email: "ana@example.com", name: "Ana Owner", sessionVersion: 0 },
    });
    const events = await t.db.auditEvent.findMany();
    expect(events).toEqual([expect.objectContaining({ orgId, actorId: userId, action: "sign_in.succeeded" })]);
  });

  it("gives the same answer for a wrong password and an unknown email", async () => {
    const wrong = await attempt("ana@example.com", "not the password", "203.0.113.1");
    const unknown = await attempt("nobody@example.com", PASSWORD, "203.0.113.2");
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual(wrong);

    // both count towards the throttle; only the real account gets an audit line
    expect(await t.db.signInFailure.count({ where: { key: "email+ip:ana@example.com|203.0.113.1" } })).toBe(1);
    expect(await t.db.signInFailure.count({ where: { key: "email+ip:nobody@example.com|203.0.113.2" } })).toBe(1);
    expect(await t.db.signInFailure.count({ where: { key: "ip:203.0.113.1" } })).toBe(1);
    const events = await t.db.auditEvent.findMany();
    expect(events).toEqual([expect.objectContaining({ orgId, actorId: userId, action: "sign_in.failed" })]);
    expect(JSON.stringify(events[0].details)).not.toContain("not the password");
  });

  it("5 wrong guesses from one address pause that address for that email only; the owner gets in from another", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await attempt("ana@example.com", `wrong ${i}`, "198.51.100.66", at(i * 60_000))).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    // The guesser's address, even with the right password: paused until the first guess leaves the window.
    expect(await attempt("ana@example.com", PASSWORD, "198.51.100.66", at(5 * 60_000))).toEqual({
      ok: false,
      reason: "throttled",
      retryAt: at(WINDOW),
    });
    // A refused attempt is not checked and not counted.
    expect(await t.db.signInFailure.count({ where: { key: "email+ip:ana@example.com|198.51.100.66" } })).toBe(5);
    // The owner from a clean address: through, after the email's slowing delay.
    waits = [];
    expect(await attempt("ana@example.com", PASSWORD, "203.0.113.10", at(5 * 60_000))).toMatchObject({ ok: true });
    expect(waits).toEqual([1000]);
    // The guesser stays paused; 1 ms after the window it may try again.
    expect(await attempt("ana@example.com", "wrong again", "198.51.100.66", at(WINDOW - 1))).toMatchObject({
      reason: "throttled",
    });
    expect(await attempt("ana@example.com", "wrong again", "198.51.100.66", at(WINDOW + 1))).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  it("20 parallel wrong guesses from one address get at most 5 password checks", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt("ana@example.com", `parallel guess ${i}`, "198.51.100.70", T0)),
    );
    const checked = results.filter((r) => !r.ok && r.reason === "invalid").length;
    // (All 20 may be refused: each was recorded before any was counted. Without the record-first order, all 20 were checked.)
    expect(checked).toBeLessThanOrEqual(5);
    expect(results.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(20 - checked);
    // Every check of a real account's password leaves an audit line: no more than 5.
    expect(await t.db.auditEvent.count({ where: { action: "sign_in.failed" } })).toBe(checked);
    // And the owner still gets in from elsewhere while the guesser is paused.
    expect(await attempt("ana@example.com", PASSWORD, "203.0.113.11", T0)).toMatchObject({ ok: true });
  });

  it("the slowdown for an email starts at its 5th recent failure and doubles up to 8 seconds", async () => {
    expect([0, 4, 5, 6, 7, 8, 9, 40].map(slowdownMs)).toEqual([0, 0, 1000, 2000, 4000, 8000, 8000, 8000]);
    // Guesses from 9 addresses, 1 each: no address is paused, but each attempt waits longer.
    for (let i = 0; i < 9; i++) await attempt("ana@example.com", "wrong", `192.0.2.${100 + i}`, at(i * 1000));
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
  });

  it("a successful sign-in clears the email's slowdown, not the guesser's pause", async () => {
    for (let i = 0; i < 5; i++) await attempt("ana@example.com", "wrong", "198.51.100.80", at(i * 1000));
    expect((await attempt("ana@example.com", PASSWORD, "203.0.113.12", at(6000))).ok).toBe(true);
    waits = [];
    expect((await attempt("ana@example.com", PASSWORD, "203.0.113.12", at(7000))).ok).toBe(true);
    expect(waits).toEqual([]);
    expect(await attempt("ana@example.com", PASSWORD, "198.51.100.80", at(8000))).toMatchObject({
      reason: "throttled",
    });
  });

  it("one address is paused for every account after 20 failures across different emails", async () => {
    const ip = "192.0.2.44";
    for (let i = 0; i < 20; i++) {
      expect(await attempt(`guess${i}@example.com`, "wrong", ip, at(i * 1000))).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    expect(await attempt("ana@example.com", PASSWORD, ip, at(30_000))).toEqual({
      ok: false,
      reason: "throttled",
      retryAt: at(WINDOW),
    });
    expect(await attempt("ana@example.com", PASSWORD, "192.0.2.45", at(30_000))).toMatchObject({ ok: true });
  });

  it("4 failures from one address do not pause it; failures older than 15 minutes do not count", async () => {
    const ip = "192.0.2.50";
    for (let i = 0; i < 4; i++) await attempt("ana@example.com", "wrong", ip, at(i * 1000));
    expect(await attempt("ana@example.com", PASSWORD, ip, at(5000))).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) await attempt("ana@example.com", "wrong", ip, at(10_000 + i * 1000));
    expect((await attempt("ana@example.com", PASSWORD, ip, at(15_000))).ok).toBe(false);
    expect(await attempt("ana@example.com", PASSWORD, ip, at(14_000 + 16 * 60_000))).toMatchObject({ ok: true });
  });

  it("prunes failures that left the window when it records a new one", async () => {
    await attempt("ana@example.com", "wrong", "192.0.2.60", at(0));
    expect(await t.db.signInFailure.count()).toBe(3);
    await attempt("ana@example.com", "wrong", "192.0.2.60", at(WINDOW + 60_000));
    expect(await t.db.signInFailure.count()).toBe(3);
  });
});
