import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, createUser, person } from "../helpers/factories";
import { authenticate, authenticateWithCode, slowdownMs, type SignInOptions } from "@/lib/sign-in";
import { newChallenge } from "@/lib/sign-in-code";
import type { SystemMailConfig } from "@/lib/system-mail";
import crypto from "node:crypto";
import { hashPassword, needsRehash } from "@/lib/password";

const PASSWORD = "correct mule staple 42";
const WINDOW = 15 * 60_000;
const T0 = new Date("2030-01-01T09:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

let t: TestDatabase;
let orgId: string;
let userId: string;
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startTestSmtpServer({ user: "system@fes.example", password: "system-mail-pass" });
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
  await smtp?.close();
});
beforeEach(async () => {
  await t.db.signInFailure.deleteMany();
  await t.db.auditEvent.deleteMany();
  await t.db.signInCode.deleteMany();
  await t.db.recentSignIn.deleteMany();
  smtp.reset();
});

// Waits the slowdown asks for are recorded, not slept, so the tests can check them without taking seconds.
let waits: number[] = [];
const attempt = (
  email: string,
  password: string,
  clientAddress: string | null,
  now?: Date,
  options: Omit<SignInOptions, "now"> & { challenge?: string } = {},
) =>
  authenticate(
    t.db,
    { email, password, clientAddress, challenge: options.challenge },
    {
      now,
      wait: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      ...options,
    },
  );
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
    expect([0, 4, 5, 6, 7, 8, 9, 40].map((n) => slowdownMs(n))).toEqual([0, 0, 1000, 2000, 4000, 8000, 8000, 8000]);
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

describe("many addresses of one client, and many clients at once", () => {
  it("400 guesses from 80 addresses of one IPv6 /64 get 5 password checks; the owner elsewhere still gets in", async () => {
    const results: string[] = [];
    for (let a = 0; a < 80; a++) {
      for (let k = 0; k < 5; k++) {
        const address = `2001:db8:7:9:${(a + 1).toString(16)}:${k}::1`;
        const result = await attempt("ana@example.com", `guess ${a}.${k}`, address, at((a * 5 + k) * 1000));
        results.push(result.ok ? "ok" : result.reason);
      }
    }
    expect(results.filter((r) => r === "invalid")).toHaveLength(5);
    expect(results.filter((r) => r === "throttled")).toHaveLength(395);
    expect(await t.db.auditEvent.count({ where: { action: "sign_in.failed" } })).toBe(5);
    // Another /64 is another client.
    expect(await attempt("ana@example.com", PASSWORD, "2001:db8:7:a::1", at(400_000))).toMatchObject({ ok: true });
  });

  it("an address with a port, in brackets or IPv4-mapped counts as the one address it is", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await attempt("ana@example.com", "wrong", `203.0.113.7:${51234 + i}`, at(i * 1000))).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    for (const address of ["203.0.113.7:60000", "203.0.113.7", "::ffff:203.0.113.7", "[::ffff:203.0.113.7]:443"]) {
      expect(await attempt("ana@example.com", PASSWORD, address, at(10_000)), address).toMatchObject({
        reason: "throttled",
      });
    }
    for (let i = 0; i < 5; i++) await attempt("ana@example.com", "wrong", `[2001:db8:5::${i + 1}]:443`, at(i * 1000));
    expect(await attempt("ana@example.com", PASSWORD, "2001:db8:5::ffff", at(10_000))).toMatchObject({
      reason: "throttled",
    });
    expect(await t.db.signInFailure.count({ where: { key: "email+ip:ana@example.com|203.0.113.7" } })).toBe(5);
    expect(await t.db.signInFailure.count({ where: { key: "email+ip:ana@example.com|2001:db8:5::/64" } })).toBe(5);
  });

  it("checks for one email from many addresses take turns: never two in their delay at once", async () => {
    for (let i = 0; i < 5; i++) await attempt("ana@example.com", "wrong", `192.0.2.${10 + i}`, at(i * 1000));
    let inside = 0;
    let most = 0;
    const wait = () => {
      inside++;
      most = Math.max(most, inside);
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          inside--;
          resolve();
        }, 50),
      );
    };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        authenticate(
          t.db,
          { email: "ana@example.com", password: `parallel ${i}`, clientAddress: `198.51.100.${20 + i}` },
          { now: at(10_000), wait },
        ),
      ),
    );
    expect(results.every((r) => !r.ok && r.reason === "invalid")).toBe(true);
    expect(most).toBe(1);
  });

  it("an address the owner signed in from lately does not queue behind guessers (the delay still applies)", async () => {
    expect(await attempt("ana@example.com", PASSWORD, "203.0.113.60", at(0))).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) await attempt("ana@example.com", "wrong", `192.0.2.${30 + i}`, at(1000 + i * 1000));
    // A guess takes the email's turn and holds it (in its delay) until released.
    let entered = () => {};
    const inTurn = new Promise<void>((resolve) => (entered = resolve));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const guess = authenticate(
      t.db,
      { email: "ana@example.com", password: "held guess", clientAddress: "192.0.2.40" },
      {
        now: at(10_000),
        wait: () => {
          entered();
          return held;
        },
      },
    );
    try {
      await inTurn;
      let newAddressDone = false;
      const fromNewAddress = authenticate(
        t.db,
        { email: "ana@example.com", password: PASSWORD, clientAddress: "198.51.100.61" },
        { now: at(10_000), wait: () => Promise.resolve() },
      ).then((r) => {
        newAddressDone = true;
        return r;
      });
      waits = [];
      // The owner's familiar address gets in meanwhile, after its delay; a new address waits its turn.
      expect(await attempt("ana@example.com", PASSWORD, "203.0.113.60", at(10_000))).toMatchObject({ ok: true });
      expect(waits.length).toBe(1);
      expect(newAddressDone).toBe(false);
      release();
      expect(await guess).toEqual({ ok: false, reason: "invalid" });
      expect(await fromNewAddress).toMatchObject({ ok: true });
    } finally {
      release();
    }
  });
});

describe("a one-time code past 20 failures", () => {
  const systemMail = (): SystemMailConfig => ({
    host: "localhost",
    port: smtp.starttlsPort,
    security: "starttls",
    user: "system@fes.example",
    password: "system-mail-pass",
    from: "system@fes.example",
  });
  /** 21 wrong passwords for Ana, each from its own address, in the minute from `start`. */
  const fail21 = async (start = 0) => {
    for (let i = 0; i < 21; i++) {
      const result = await attempt("ana@example.com", `wrong ${i}`, `192.0.2.${100 + i}`, at(start + i * 1000), {
        systemMail: systemMail(),
      });
      expect(result).toEqual({ ok: false, reason: "invalid" });
    }
  };
  const mailedCodes = () =>
    smtp.messages.map((m) => {
      expect(m.envelopeTo).toEqual(["ana@example.com"]);
      return /^ {4}(\d{6})\r?$/m.exec(m.raw)?.[1];
    });
  const withCode = (challenge: string, code: string, when: Date, clientAddress = "198.51.100.200") =>
    authenticateWithCode(t.db, { challenge, code, clientAddress }, { now: when });

  it("the right password from a new address gets a code by email, never the password; the code signs in once", async () => {
    await fail21();
    const challenge = newChallenge();
    expect(
      await attempt("ana@example.com", PASSWORD, "198.51.100.200", at(30_000), { systemMail: systemMail(), challenge }),
    ).toEqual({ ok: false, reason: "code-required" });
    const [code] = mailedCodes();
    expect(code).toMatch(/^\d{6}$/);
    expect(smtp.messages[0].subject).toBe("Your one-time sign-in code for Finance Email Setup");
    expect(smtp.messages[0].raw).not.toContain(PASSWORD);
    expect(smtp.messages[0].raw).toContain("198.51.100.200");
    // Stored hashed: neither the code nor the challenge is in the row.
    const row = await t.db.signInCode.findFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(code!);
    expect(JSON.stringify(row)).not.toContain(challenge);
    // The right password is not a failure; the code was recorded for the owners to see.
    expect(await t.db.signInFailure.count({ where: { key: "email:ana@example.com" } })).toBe(21);
    expect(await t.db.auditEvent.count({ where: { action: "sign_in.code_sent" } })).toBe(1);

    const wrong = code === "000000" ? "000001" : "000000";
    expect(await withCode(challenge, wrong, at(40_000))).toEqual({ ok: false, reason: "code-wrong" });
    expect(await withCode(newChallenge(), code!, at(40_000))).toEqual({ ok: false, reason: "code-expired" });
    expect(await withCode(challenge, code!, at(50_000))).toMatchObject({ ok: true, user: { id: userId } });
    expect(await withCode(challenge, code!, at(51_000))).toEqual({ ok: false, reason: "code-expired" });
    // Signed in: the email's failures are forgotten, and the address is now familiar.
    expect(await t.db.signInFailure.count({ where: { key: "email:ana@example.com" } })).toBe(0);
    expect(await t.db.recentSignIn.count({ where: { userId, address: "198.51.100.200" } })).toBe(1);
  });

  it("at 20 failures, or from an address the owner signed in from lately, no code is asked for", async () => {
    expect(
      await attempt("ana@example.com", PASSWORD, "203.0.113.70", at(0), { systemMail: systemMail() }),
    ).toMatchObject({ ok: true });
    for (let i = 0; i < 20; i++) await attempt("ana@example.com", "wrong", `192.0.2.${100 + i}`, at(1000 + i * 1000));
    expect(
      await attempt("ana@example.com", PASSWORD, "198.51.100.71", at(30_000), { systemMail: systemMail() }),
    ).toMatchObject({ ok: true });
    await fail21(40_000);
    expect(
      await attempt("ana@example.com", PASSWORD, "203.0.113.70", at(70_000), { systemMail: systemMail() }),
    ).toMatchObject({ ok: true });
    expect(smtp.messages).toHaveLength(0);
  });

  it("a code works for 10 minutes and 5 tries", async () => {
    await fail21();
    const first = newChallenge();
    await attempt("ana@example.com", PASSWORD, "198.51.100.80", at(30_000), {
      systemMail: systemMail(),
      challenge: first,
    });
    const [code] = mailedCodes();
    const wrong = code === "000000" ? "000001" : "000000";
    for (let i = 0; i < 4; i++)
      expect(await withCode(first, wrong, at(31_000))).toMatchObject({ reason: "code-wrong" });
    expect(await withCode(first, wrong, at(31_000))).toMatchObject({ reason: "code-expired" });
    expect(await withCode(first, code!, at(31_000))).toMatchObject({ reason: "code-expired" });

    const second = newChallenge();
    await attempt("ana@example.com", PASSWORD, "198.51.100.80", at(60_000), {
      systemMail: systemMail(),
      challenge: second,
    });
    const [, code2] = mailedCodes();
    expect(await withCode(second, code2!, at(60_000 + 10 * 60_000))).toMatchObject({ reason: "code-expired" });
  });

  it("a code sent and not used keeps codes asked for after the failures leave the window", async () => {
    await fail21();
    await attempt("ana@example.com", PASSWORD, "198.51.100.90", at(30_000), { systemMail: systemMail() });
    expect(
      await attempt("ana@example.com", PASSWORD, "198.51.100.91", at(30_000 + WINDOW), { systemMail: systemMail() }),
    ).toEqual({ ok: false, reason: "code-required" });
    expect(mailedCodes()).toHaveLength(2);
  });

  it("without a system mailer, past 20 failures each check waits 30 s, and the right password gets in", async () => {
    await fail21();
    waits = [];
    expect(await attempt("ana@example.com", PASSWORD, "198.51.100.100", at(30_000))).toMatchObject({ ok: true });
    expect(waits).toEqual([30_000]);
  });

  it("when the code cannot be sent, the right password gets in after the same 30 s", async () => {
    await fail21();
    waits = [];
    const unreachable = { ...systemMail(), port: smtp.closedPort };
    expect(
      await attempt("ana@example.com", PASSWORD, "198.51.100.110", at(30_000), { systemMail: unreachable }),
    ).toMatchObject({ ok: true });
    expect(waits).toEqual([8000, 22_000]);
    expect(await t.db.signInCode.count()).toBe(0);
  });
});
