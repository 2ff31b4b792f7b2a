// testSettings with a real SQLite database and the SMTP fixture: the saved password, run records, the Working /
// Failing status (only for exactly the saved settings), the database rate limit, and the notes shown with a result.
import type { Actor } from "@/lib/actor";
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, person, settingsForm } from "../helpers/factories";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { createKeyring } from "@/lib/secrets/crypto";
import { PASSWORD_AGAIN_MESSAGE } from "@/lib/mailbox/credential";
import { saveEmailSettings } from "@/lib/mailbox/settings";
import { UserFacingError } from "@/lib/errors";
import {
  recentTestRuns,
  testSettings,
  TestRateLimited,
  MAX_CONCURRENT_TESTS,
  TestsBusy,
  TESTS_BUSY_MESSAGE,
  type TestRunner,
} from "@/lib/mailbox/test-run";
import type { LookupAll } from "@/lib/net/address-guard";
import type { MxResolver } from "@/lib/smtp/detect";
import { DEFAULT_MAIL_PORT_RULE, parseMailPorts } from "@/lib/smtp/mail-ports";

const keyring = createKeyring([crypto.randomBytes(32)]);
const T0 = new Date("2025-06-02T09:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

let t: TestDatabase;
let smtp: TestSmtpServer;
let runner: TestRunner;

beforeAll(async () => {
  [t, smtp] = await Promise.all([createTestDatabase("settings-test"), startTestSmtpServer()]);
  // The fixture listens on free high ports; the mail-port rule itself is tested below with the default list.
  runner = {
    db: t.db,
    keyring,
    budgetMs: 2000,
    allowPrivate: true,
    allowedPorts: { ports: [], ranges: [[1024, 65535]] },
  };
});
afterAll(async () => {
  await Promise.all([t?.drop(), smtp?.close()]);
});
beforeEach(() => smtp.reset());

/** What the form posts, parsed by the form's own schema; defaults point at the fixture's STARTTLS listener. */
function form(values: Record<string, string> = {}) {
  return settingsForm({
    provider: "custom",
    host: "localhost",
    port: String(smtp.starttlsPort),
    user: smtp.user,
    fromName: "Clinic Billing",
    fromAddress: "billing@clinic.example",
    ...values,
  });
}

type Ctx = { org: { id: string; name: string }; user: { id: string; name: string; email: string } };

async function newOrg(name: string): Promise<{ ctx: Ctx; actor: Pick<Actor, "userId" | "email" | "name" | "orgId"> }> {
  const org = await createOrg(t.db, name);
  const user = await person(t.db, org.id, { name: `${name} Admin`, role: "ADMIN" });
  return {
    ctx: { org: { id: org.id, name }, user: { id: user.id, name: user.name, email: user.email } },
    actor: { userId: user.id, email: user.email, name: user.name, orgId: org.id },
  };
}

/** A new organisation whose settings are saved (version 1) with the fixture's password. */
async function orgWithSavedPassword(name: string) {
  const org = await newOrg(name);
  await saveEmailSettings({ db: t.db, keyring }, org.actor, form({ password: smtp.password }));
  return org;
}

/** The same, then tested once at T0, which marks the saved settings Working. */
async function orgTestedWorking(name: string) {
  const org = await orgWithSavedPassword(name);
  await testSettings(runner, org.ctx, form({ version: "1" }), { ...send, now: T0 });
  expect((await settingsRow(org.ctx.org.id)).status).toBe("WORKING");
  return org;
}

const settingsRow = (orgId: string) => t.db.emailSettings.findUniqueOrThrow({ where: { orgId } });
const runRow = (id: string) => t.db.smtpTestRun.findUniqueOrThrow({ where: { id } });
const send = { mode: "send" as const, to: "owner@clinic.example" };

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: unknown) => err,
  );
}

describe("testSettings: saved password, run records and status", () => {
  it("uses the saved password when the form's is blank; success marks the saved settings Working", async () => {
    const { ctx } = await orgWithSavedPassword("Saved Password Clinic");
    const saved = await settingsRow(ctx.org.id);
    expect(saved.passwordCiphertext).not.toContain(smtp.password);

    const outcome = await testSettings(runner, ctx, form({ version: "1" }), { ...send, now: T0 });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    expect(outcome.matchesSaved).toBe(true);
    expect(outcome.notes).toEqual([]);
    // The fixture accepts only the right password: the message arriving proves the saved one was decrypted and used.
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].envelopeTo).toEqual(["owner@clinic.example"]);

    const run = await runRow(outcome.runId);
    expect(run).toMatchObject({
      orgId: ctx.org.id,
      userId: ctx.user.id,
      outcome: "SUCCESS",
      matchesSaved: true,
      failedStep: null,
      diagnosisId: null,
      mode: "send",
      recipient: "owner@clinic.example",
      host: "localhost",
      port: smtp.starttlsPort,
    });
    expect(run.createdAt).toEqual(T0);
    expect((run.steps as { status: string }[]).map((s) => s.status)).toEqual(["ok", "ok", "ok", "ok", "ok", "ok"]);
    expect(JSON.stringify(run)).not.toContain(smtp.password);

    const after = await settingsRow(ctx.org.id);
    expect(after).toMatchObject({ status: "WORKING", lastTestError: null, lastTestAdvice: null, version: 1 });
    expect(after.lastTestAt).toEqual(T0);
  });

  it("a failing test of the saved settings marks them Failing, with the error and advice", async () => {
    const { ctx, actor } = await newOrg("Failing Clinic");
    await saveEmailSettings({ db: t.db, keyring }, actor, form({ password: "Not-The-Right-Password-1" }));

    const outcome = await testSettings(runner, ctx, form({ version: "1" }), { ...send, now: T0 });
    expect(outcome.ok).toBe(false);
    expect(outcome.matchesSaved).toBe(true);
    expect(outcome.failedStep).toBe("auth");
    expect(outcome.diagnosis?.id).toBe("bad-credentials");

    const run = await runRow(outcome.runId);
    expect(run).toMatchObject({
      outcome: "FAILURE",
      failedStep: "auth",
      diagnosisId: "bad-credentials",
      matchesSaved: true,
    });
    expect(run.reply).toContain("535 5.7.8");
    expect(run.reply).not.toContain("Not-The-Right-Password-1");

    const after = await settingsRow(ctx.org.id);
    expect(after.status).toBe("FAILING");
    expect(after.lastTestAt).toEqual(T0);
    expect(after.lastTestError).toBe(outcome.diagnosis?.title);
    expect(after.lastTestAdvice).toBe(outcome.diagnosis?.advice.join(" "));

    // Typing the saved password again is still a test of the saved settings.
    const again = await testSettings(runner, ctx, form({ version: "1", password: "Not-The-Right-Password-1" }), {
      ...send,
      now: at(SECOND),
    });
    expect(again.matchesSaved).toBe(true);
  });

  it("testing settings that differ from the saved ones records the run but leaves the status alone", async () => {
    const { ctx } = await orgTestedWorking("Unsaved Clinic");

    // Another port and security, working: a note says they are not saved; the status still describes the saved ones.
    const other = await testSettings(
      runner,
      ctx,
      form({ version: "1", port: String(smtp.implicitTlsPort), security: "ssl" }),
      { ...send, now: at(SECOND) },
    );
    expect(other.ok, JSON.stringify(other)).toBe(true);
    expect(other.matchesSaved).toBe(false);
    expect(other.notes).toContain("These settings are not saved yet: save them to use them for your finance mail.");
    expect(await runRow(other.runId)).toMatchObject({
      outcome: "SUCCESS",
      matchesSaved: false,
      port: smtp.implicitTlsPort,
    });

    // A different (wrong) password typed in, failing: recorded, and the saved settings stay Working.
    const wrong = await testSettings(runner, ctx, form({ version: "1", password: "Typed-Wrong-Password-2" }), {
      ...send,
      now: at(2 * SECOND),
    });
    expect(wrong.ok).toBe(false);
    expect(wrong.matchesSaved).toBe(false);
    expect(await runRow(wrong.runId)).toMatchObject({
      outcome: "FAILURE",
      diagnosisId: "bad-credentials",
      matchesSaved: false,
    });

    const after = await settingsRow(ctx.org.id);
    expect(after).toMatchObject({ status: "WORKING", lastTestError: null });
    expect(after.lastTestAt).toEqual(T0);
    expect(await t.db.smtpTestRun.count({ where: { orgId: ctx.org.id } })).toBe(3);
  });

  it("a later save resets the status to Untested, and a test of the old version does not set it again", async () => {
    const { ctx, actor } = await orgTestedWorking("Changed Clinic");

    const saved = await saveEmailSettings(
      { db: t.db, keyring },
      actor,
      form({ version: "1", fromName: "Clinic Accounts" }),
    );
    expect(saved.version).toBe(2);
    expect(await settingsRow(ctx.org.id)).toMatchObject({
      status: "UNTESTED",
      lastTestError: null,
      lastTestAdvice: null,
    });

    // A form opened before that save (version 1) tests what is no longer saved.
    const stale = await testSettings(runner, ctx, form({ version: "1" }), { ...send, now: at(SECOND) });
    expect(stale.ok).toBe(true);
    expect(stale.matchesSaved).toBe(false);
    expect((await settingsRow(ctx.org.id)).status).toBe("UNTESTED");

    const current = await testSettings(runner, ctx, form({ version: "2" }), {
      mode: "check",
      to: "owner@clinic.example",
      now: at(2 * SECOND),
    });
    expect(current.ok).toBe(true);
    expect(current.matchesSaved).toBe(true);
    expect((await settingsRow(ctx.org.id)).status).toBe("WORKING");
  });

  it("asks for a password when none is typed and none is saved, without leaving a run behind", async () => {
    const { ctx } = await newOrg("No Password Clinic");
    const err = await rejection(testSettings(runner, ctx, form(), { ...send, now: T0 }));
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as UserFacingError).field).toBe("password");
    expect(await t.db.smtpTestRun.count({ where: { orgId: ctx.org.id } })).toBe(0);
  });
});

describe("the saved password goes only to the server and user it was saved with", () => {
  let other: TestSmtpServer;
  beforeAll(async () => {
    other = await startTestSmtpServer();
  });
  afterAll(async () => {
    await other?.close();
  });
  beforeEach(() => other.reset());

  // The second server's certificate is valid for 127.0.0.1 too: a test there would get through TLS and send AUTH.
  const elsewhere = () => ({ host: "127.0.0.1", port: String(other.starttlsPort) });
  const authsOn = (server: TestSmtpServer) =>
    server.sessions.filter((s) => s.commands.some((c) => c.startsWith("AUTH"))).length;

  it("a blank-password test after changing Server is refused at the Password field, and the other server sees nothing", async () => {
    const { ctx } = await orgWithSavedPassword("Moved Server Clinic");
    const err = await rejection(
      testSettings(runner, ctx, form({ version: "1", ...elsewhere() }), {
        mode: "check",
        to: "owner@clinic.example",
        now: T0,
      }),
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ field: "password", message: PASSWORD_AGAIN_MESSAGE });
    expect(other.sessions).toHaveLength(0);
    expect(authsOn(other)).toBe(0);
    expect(await t.db.smtpTestRun.count({ where: { orgId: ctx.org.id } })).toBe(0);

    // With the password typed again, the same test goes ahead (and reaches that server).
    const typed = await testSettings(runner, ctx, form({ version: "1", ...elsewhere(), password: other.password }), {
      mode: "check",
      to: "owner@clinic.example",
      now: at(SECOND),
    });
    expect(typed.ok, JSON.stringify(typed)).toBe(true);
    expect(authsOn(other)).toBe(1);
  });

  it("a blank-password test after changing User is refused the same way, with no AUTH on the saved server", async () => {
    const { ctx } = await orgWithSavedPassword("Changed User Clinic");
    smtp.reset();
    const err = await rejection(
      testSettings(runner, ctx, form({ version: "1", user: "someone.else@clinic.example" }), { ...send, now: T0 }),
    );
    expect(err).toMatchObject({ field: "password", message: PASSWORD_AGAIN_MESSAGE });
    expect(authsOn(smtp)).toBe(0);
  });

  it("a blank-password save of a new Server or User is refused and changes nothing; other fields keep the saved password", async () => {
    const { ctx, actor } = await orgWithSavedPassword("Save Elsewhere Clinic");
    const before = await settingsRow(ctx.org.id);
    for (const change of [elsewhere(), { user: "someone.else@clinic.example" }]) {
      const err = await rejection(saveEmailSettings({ db: t.db, keyring }, actor, form({ version: "1", ...change })));
      expect(err).toMatchObject({ field: "password", message: PASSWORD_AGAIN_MESSAGE });
      expect(await settingsRow(ctx.org.id)).toEqual(before);
    }
    // A new From name, Reply-to, or port and security on the same server keep the saved password.
    await saveEmailSettings(
      { db: t.db, keyring },
      actor,
      form({ version: "1", fromName: "Clinic Accounts", replyTo: "accounts@clinic.example" }),
    );
    await saveEmailSettings(
      { db: t.db, keyring },
      actor,
      form({
        version: "2",
        fromName: "Clinic Accounts",
        replyTo: "accounts@clinic.example",
        port: String(smtp.implicitTlsPort),
        security: "ssl",
      }),
    );
    expect((await settingsRow(ctx.org.id)).passwordCiphertext).toBe(before.passwordCiphertext);
    // And a typed password with the new server is saved.
    await saveEmailSettings(
      { db: t.db, keyring },
      actor,
      form({ version: "3", ...elsewhere(), password: other.password }),
    );
    expect(await settingsRow(ctx.org.id)).toMatchObject({ host: "127.0.0.1", port: other.starttlsPort });
  });

  it("the one-click switch between 587-style STARTTLS and 465-style SSL/TLS on the saved server still tests with the saved password", async () => {
    const { ctx } = await orgWithSavedPassword("Port Switch Clinic");
    smtp.reset();
    const switched = await testSettings(
      runner,
      ctx,
      form({ version: "1", port: String(smtp.implicitTlsPort), security: "ssl" }),
      { ...send, now: T0 },
    );
    expect(switched.ok, JSON.stringify(switched)).toBe(true);
    expect(authsOn(smtp)).toBe(1);
    const back = await testSettings(runner, ctx, form({ version: "1" }), { ...send, now: at(SECOND) });
    expect(back.ok).toBe(true);
  });
});

describe("testSettings: mail ports only", () => {
  it("refuses a port outside the allowed list at the TLS Port field, naming the allowed ones, before connecting", async () => {
    const { ctx } = await orgWithSavedPassword("Port Scan Clinic");
    smtp.reset();
    const strict = { ...runner, allowedPorts: DEFAULT_MAIL_PORT_RULE };
    const err = await rejection(testSettings(strict, ctx, form({ version: "1" }), { ...send, now: T0 }));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({
      field: "port",
      message: "Use a mail port: 25, 465, 587 or 2525. Other ports are not allowed here.",
    });
    expect(smtp.sessions).toHaveLength(0);
    expect(await t.db.smtpTestRun.count({ where: { orgId: ctx.org.id } })).toBe(0);
    // SMTP_ALLOWED_PORTS can name the relay's port (or a range) instead.
    const relay = { ...runner, allowedPorts: parseMailPorts(`25,587,${smtp.starttlsPort}`)! };
    expect((await testSettings(relay, ctx, form({ version: "1" }), { ...send, now: at(SECOND) })).ok).toBe(true);
  });
});

describe("testSettings: tests running at once in one instance", () => {
  it("at most 8 by default: the ninth is refused at once, not queued; a place frees up when a test ends", async () => {
    const orgs = await Promise.all(Array.from({ length: 10 }, (_, i) => newOrg(`Busy ${i}`)));
    // The fixture's silent port accepts the connection and never greets: each test holds its place for its budget.
    const silent = () => form({ port: String(smtp.silentPort), password: "Some-Password-1" });
    let finished = 0;
    const holding = orgs
      .slice(0, MAX_CONCURRENT_TESTS)
      .map((o) => testSettings(runner, o.ctx, silent(), { ...send, now: T0 }).finally(() => finished++));
    // Every holding test has connected and is waiting for its greeting.
    await waitUntil(() => smtp.silentOpen() === MAX_CONCURRENT_TESTS);
    const refused = await rejection(testSettings(runner, orgs[8].ctx, silent(), { ...send, now: T0 }));
    expect(refused).toBeInstanceOf(TestsBusy);
    expect((refused as Error).message).toBe(TESTS_BUSY_MESSAGE);
    // Refused while all eight still held their places: not queued behind them.
    expect(finished).toBe(0);
    expect(smtp.silentOpen()).toBe(MAX_CONCURRENT_TESTS);
    expect(await t.db.smtpTestRun.count({ where: { orgId: orgs[8].ctx.org.id } })).toBe(0);
    const held = await Promise.all(holding);
    expect(held.map((r) => r.ok)).toEqual(Array(MAX_CONCURRENT_TESTS).fill(false));
    const after = await testSettings(runner, orgs[9].ctx, form({ password: smtp.password }), { ...send, now: T0 });
    expect(after.ok).toBe(true);
  });
});

/** Waits for a condition the test cannot be told about by an event (polled every 10 ms, for at most 10 s). */
async function waitUntil(condition: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold within 10 s");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("testSettings: rate limit", () => {
  // Fails at the lookup at once: the limit is about runs, not about what they find.
  const notFound: LookupAll = (host) =>
    Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }));
  const fast = () => ({ ...runner, lookup: notFound });
  const input = () => form({ password: "any-password-1" });

  function userOf(orgId: string, n: number) {
    return { id: `user-${orgId}-${n}`, name: `User ${n}`, email: `user${n}-${orgId}@clinic.example` };
  }

  it("the 6th run in a minute for one user is refused with the wait; older runs stop counting", async () => {
    const { ctx } = await newOrg("Busy User Clinic");
    for (let i = 0; i < 5; i++) {
      const outcome = await testSettings(fast(), ctx, input(), { ...send, now: at(i * SECOND) });
      expect(outcome.diagnosis?.id).toBe("host-not-found");
    }
    const err = await rejection(testSettings(fast(), ctx, input(), { ...send, now: at(10 * SECOND) }));
    expect(err).toBeInstanceOf(TestRateLimited);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toBe("You have run 5 tests in a minute, the most allowed. Try again in 50 seconds.");
    // The refused run is not recorded, so it does not push the wait further out.
    expect(await t.db.smtpTestRun.count({ where: { userId: ctx.user.id } })).toBe(5);

    // Once the first run is more than a minute old, there is room again.
    const later = await testSettings(fast(), ctx, input(), { ...send, now: at(MINUTE + 500) });
    expect(later.ok).toBe(false);
    expect(await t.db.smtpTestRun.count({ where: { userId: ctx.user.id } })).toBe(6);

    // Another user of the same organisation is not held up by this one's minute.
    const other = { ...ctx, user: userOf(ctx.org.id, 2) };
    await expect(testSettings(fast(), other, input(), { ...send, now: at(MINUTE + 600) })).resolves.toMatchObject({
      ok: false,
    });
  });

  it("runs by every user of the organisation count toward 20 an hour; runs older than an hour do not", async () => {
    const { ctx } = await newOrg("Busy Org Clinic");
    const users = [1, 2, 3, 4, 5].map((n) => userOf(ctx.org.id, n));
    // 20 runs by four users over 38 minutes, never more than one a minute per user.
    for (let i = 0; i < 20; i++) {
      await testSettings(fast(), { ...ctx, user: users[i % 4] }, input(), { ...send, now: at(i * 2 * MINUTE) });
    }
    // A fifth user, who has run nothing yet, is refused: the organisation has had its 20.
    const err = await rejection(
      testSettings(fast(), { ...ctx, user: users[4] }, input(), { ...send, now: at(40 * MINUTE) }),
    );
    expect(err).toBeInstanceOf(TestRateLimited);
    expect((err as Error).message).toBe(
      "Your organisation has run 20 tests in an hour, the most allowed. Try again in 20 minutes.",
    );
    expect(await t.db.smtpTestRun.count({ where: { orgId: ctx.org.id } })).toBe(20);

    // Another organisation's runs are its own.
    const { ctx: elsewhere } = await newOrg("Quiet Clinic");
    await expect(testSettings(fast(), elsewhere, input(), { ...send, now: at(40 * MINUTE) })).resolves.toMatchObject({
      ok: false,
    });

    // Just over an hour after the first run, it has left the window: one more is allowed, then the limit is back.
    await expect(
      testSettings(fast(), { ...ctx, user: users[4] }, input(), { ...send, now: at(60 * MINUTE + SECOND) }),
    ).resolves.toMatchObject({ ok: false });
    const again = await rejection(
      testSettings(fast(), { ...ctx, user: users[4] }, input(), { ...send, now: at(60 * MINUTE + 2 * SECOND) }),
    );
    expect((again as Error).message).toMatch(
      /^Your organisation has run 20 tests in an hour, the most allowed\. Try again in \d+ (seconds|minutes)\.$/,
    );
  });
});

describe("testSettings: notes", () => {
  it("Gmail: notes that Google rewrites a From address other than the account", async () => {
    const { ctx } = await newOrg("Gmail Clinic");
    const gmail = (fromAddress: string) => form({ provider: "google-mail", password: smtp.password, fromAddress });

    const other = await testSettings(runner, ctx, gmail("billing@clinic.example"), { ...send, now: T0 });
    expect(other.ok, JSON.stringify(other)).toBe(true);
    const rewrite = other.notes.find((n) => n.includes("instead of billing@clinic.example"));
    expect(rewrite).toBe(
      `Google Mail (Gmail) will show ${smtp.user} as the sender instead of billing@clinic.example, unless billing@clinic.example is added to the account as a verified "Send mail as" alias.`,
    );

    const same = await testSettings(runner, ctx, gmail(smtp.user.toUpperCase()), { ...send, now: at(SECOND) });
    expect(same.ok).toBe(true);
    expect(same.notes.some((n) => n.includes("Send mail as"))).toBe(false);

    // Not Gmail: no rewrite note.
    const custom = await testSettings(runner, ctx, form({ password: smtp.password }), { ...send, now: at(2 * SECOND) });
    expect(custom.notes.some((n) => n.includes("Send mail as"))).toBe(false);
  });

  it("Google Workspace: when sign-in fails and the domain's MX is Google's, notes that app passwords may be off", async () => {
    const { ctx } = await newOrg("Workspace Clinic");
    const asked: string[] = [];
    const googleMx: MxResolver = (domain) => {
      asked.push(domain);
      return Promise.resolve(domain === "clinic.example" ? [{ exchange: "aspmx.l.google.com", priority: 1 }] : []);
    };
    const workspace = form({ provider: "google-workspace", password: "abcdefghijklmnop" });

    const failed = await testSettings({ ...runner, resolveMx: googleMx }, ctx, workspace, { ...send, now: T0 });
    expect(failed.diagnosis?.id).toBe("bad-credentials");
    expect(asked).toEqual(["clinic.example"]);
    expect(failed.notes.some((n) => n.startsWith("This address is hosted by Google Workspace."))).toBe(true);

    // Another mail host: no Workspace note.
    const otherMx: MxResolver = () => Promise.resolve([{ exchange: "mx.clinic.example", priority: 10 }]);
    const elsewhere = await testSettings({ ...runner, resolveMx: otherMx }, ctx, workspace, {
      ...send,
      now: at(SECOND),
    });
    expect(elsewhere.diagnosis?.id).toBe("bad-credentials");
    expect(elsewhere.notes.some((n) => n.includes("hosted by Google Workspace"))).toBe(false);

    // Sign-in works: no reason to look the domain up, no note.
    asked.length = 0;
    const ok = await testSettings(
      { ...runner, resolveMx: googleMx },
      ctx,
      form({ provider: "google-workspace", password: smtp.password }),
      { ...send, now: at(2 * SECOND) },
    );
    expect(ok.ok).toBe(true);
    expect(asked).toEqual([]);
    expect(ok.notes.some((n) => n.includes("hosted by Google Workspace"))).toBe(false);
  });
});

describe("recentTestRuns", () => {
  it("lists this organisation's finished runs newest first, at most `take`, never one still running", async () => {
    const { ctx } = await newOrg("Run List");
    const { ctx: other } = await newOrg("Other Run List");
    const run = (orgId: string, minute: number, outcome: "SUCCESS" | "FAILURE" | "RUNNING") =>
      t.db.smtpTestRun.create({
        data: {
          orgId,
          userId: ctx.user.id,
          userEmail: ctx.user.email,
          mode: "check",
          recipient: `r${minute}@clinic.example`,
          host: "smtp.example.test",
          port: 587,
          outcome,
          durationMs: minute * 100,
          createdAt: at(minute * MINUTE),
        },
      });
    await run(ctx.org.id, 1, "SUCCESS");
    await run(ctx.org.id, 3, "FAILURE");
    await run(ctx.org.id, 2, "SUCCESS");
    await run(ctx.org.id, 4, "RUNNING");
    await run(other.org.id, 5, "SUCCESS");

    const runs = await recentTestRuns(t.db, ctx.org.id);
    expect(runs.map((r) => [r.recipient, r.outcome])).toEqual([
      ["r3@clinic.example", "FAILURE"],
      ["r2@clinic.example", "SUCCESS"],
      ["r1@clinic.example", "SUCCESS"],
    ]);
    expect(runs[0]).toEqual({
      id: expect.any(String) as unknown,
      userEmail: ctx.user.email,
      mode: "check",
      recipient: "r3@clinic.example",
      outcome: "FAILURE",
      failedStep: null,
      durationMs: 300,
      createdAt: at(3 * MINUTE),
      host: "smtp.example.test",
      port: 587,
    });
    expect(await recentTestRuns(t.db, ctx.org.id, 2)).toHaveLength(2);
  });
});
