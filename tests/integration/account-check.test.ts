// The scheduled account check against a real TLS SMTP server: log in and QUIT, nothing sent; the
// status moves at once on an authentication failure and on the second transient failure in a row.
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createKeyring } from "@/lib/secrets/crypto";
import { passwordAad } from "@/lib/secrets/bindings";
import { checkAccount, type CheckRunner } from "@/lib/mailbox/check";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, createUser } from "../helpers/factories";
import { saveTestAccount } from "../helpers/watch";
import { DEFAULT_SMTP_PASSWORD, startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";

const keyring = createKeyring([crypto.randomBytes(32)]);
let t: TestDatabase;
let smtp: TestSmtpServer;
let runner: CheckRunner;
let orgId: string;
let actor: { userId: string; email: string; name: string; orgId: string };
const at = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 9, minutes));

beforeAll(async () => {
  t = await createTestDatabase("account-check");
  smtp = await startTestSmtpServer();
  runner = { db: t.db, keyring, budgetMs: 2000, allowPrivate: true };
  orgId = (await createOrg(t.db, "Riverside Clinic")).id;
  const user = await createUser(t.db, { email: "owner@riverside.example", name: "Olive Owner" });
  actor = { userId: user.id, email: user.email, name: user.name, orgId };
});
afterAll(async () => {
  await smtp?.close();
  await t?.drop();
});
beforeEach(async () => {
  await t.db.accountCheck.deleteMany();
  await t.db.emailSettings.deleteMany();
  smtp.reset();
});

const save = (port: number) => saveTestAccount(t.db, keyring, actor, port);
const settings = () => t.db.emailSettings.findUniqueOrThrow({ where: { orgId } });
/** As when the provider revokes the password: the saved one stops being accepted. */
const savePasswordAs = (password: string) =>
  t.db.emailSettings.update({
    where: { orgId },
    data: { passwordCiphertext: keyring.encrypt(password, passwordAad(orgId)) },
  });

describe("checkAccount", () => {
  it("logs in and quits: nothing is sent and no recipient named; the status becomes Working with the check's time", async () => {
    await save(smtp.starttlsPort);
    const outcome = await checkAccount(runner, orgId, at(0));
    expect(outcome).toMatchObject({ transition: "ok", failingSince: null, result: { ok: true, mode: "login" } });
    expect(outcome!.result.steps.map((s) => [s.id, s.status])).toEqual([
      ["lookup", "ok"],
      ["connect", "ok"],
      ["tls", "ok"],
      ["auth", "ok"],
    ]);
    await smtp.waitForSessionsClosed();
    const commands = smtp.sessions.at(-1)!.commands;
    expect(commands).toEqual(expect.arrayContaining(["EHLO", "STARTTLS", "QUIT"]));
    expect(commands.some((c) => c.startsWith("AUTH"))).toBe(true);
    expect(commands).not.toEqual(expect.arrayContaining(["MAIL"]));
    expect(commands).not.toEqual(expect.arrayContaining(["RCPT"]));
    expect(smtp.messages).toHaveLength(0);
    expect(await settings()).toMatchObject({
      status: "WORKING",
      lastCheckAt: at(0),
      checkFailures: 0,
      failingSince: null,
    });
    expect(await t.db.accountCheck.findMany({ where: { orgId } })).toEqual([
      expect.objectContaining({ ok: true, checkedAt: at(0), failedStep: null }),
    ]);
  });

  it("a password the provider revoked fails at once; the next check is still failing since then; putting it right recovers", async () => {
    await save(smtp.starttlsPort);
    expect((await checkAccount(runner, orgId, at(0)))?.transition).toBe("ok");
    await savePasswordAs("revoked-by-a-password-change");
    const failing = await checkAccount(runner, orgId, at(60));
    expect(failing).toMatchObject({
      transition: "failing",
      failingSince: at(60),
      result: { failedStep: "auth", diagnosis: { id: "bad-credentials" } },
    });
    expect(await settings()).toMatchObject({
      status: "FAILING",
      failingSince: at(60),
      lastTestError: "The user name or password was not accepted",
    });
    expect(await checkAccount(runner, orgId, at(120))).toMatchObject({
      transition: "still-failing",
      failingSince: at(60),
    });
    await savePasswordAs(DEFAULT_SMTP_PASSWORD);
    expect(await checkAccount(runner, orgId, at(180))).toMatchObject({ transition: "recovered", failingSince: null });
    expect(await settings()).toMatchObject({ status: "WORKING", failingSince: null, lastTestError: null });
    expect(
      (await t.db.accountCheck.findMany({ where: { orgId }, orderBy: { checkedAt: "asc" } })).map((c) => c.ok),
    ).toEqual([true, false, false, true]);
  });

  it("a server that does not answer counts as failing only on the second check in a row", async () => {
    await save(smtp.silentPort);
    const first = await checkAccount(runner, orgId, at(0));
    expect(first).toMatchObject({ transition: "unconfirmed", result: { ok: false, diagnosis: { id: "timeout" } } });
    expect(await settings()).toMatchObject({ status: "UNTESTED", checkFailures: 1, lastCheckAt: at(0) });
    expect(await checkAccount(runner, orgId, at(60))).toMatchObject({ transition: "failing", failingSince: at(60) });
    expect(await settings()).toMatchObject({ status: "FAILING", checkFailures: 2 });
  });

  it("a save while the check ran is not overwritten by the old settings' result", async () => {
    // A server that takes its time over every reply, so the save surely lands while the check is still signing in.
    const slow = await startTestSmtpServer({ replyDelayMs: 100 });
    try {
      await save(slow.starttlsPort);
      const running = checkAccount(runner, orgId, at(0));
      // Saved again once the check is talking to the server (so it has read the settings it checks).
      while (slow.sessions.length === 0) await new Promise((r) => setTimeout(r, 5));
      await t.db.emailSettings.update({ where: { orgId }, data: { version: { increment: 1 }, status: "UNTESTED" } });
      expect((await running)?.transition).toBe("changed");
      expect(await settings()).toMatchObject({ status: "UNTESTED", lastCheckAt: null });
    } finally {
      await slow.close();
    }
  });

  it("nothing to check without saved settings", async () => {
    expect(await checkAccount(runner, orgId, at(0))).toBeNull();
  });
});
