// The watch re-checks the From domain weekly: SPF or DMARC that newly fails for the same domain is
// alerted once, by email to owners and admins and by webhook; the first check is the baseline; a domain that still
// fails is not alerted again.
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKeyring } from "@/lib/secrets/crypto";
import { createDnsResolver } from "@/lib/deliverability/resolver";
import { runScheduledCheck } from "@/lib/watch/run-check";
import { setWebhook } from "@/lib/watch/webhook";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, person } from "../helpers/factories";
import { startTestDnsServer, type TestDnsServer, type Zone } from "../../stand-ins/dns-test-server";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import { saveTestAccount, SYSTEM_MAIL_PASSWORD, SYSTEM_MAIL_USER, testWatchDeps } from "../helpers/watch";
import { startWebhookReceiver, type WebhookReceiver } from "../../stand-ins/webhook-receiver";

const keyring = createKeyring([crypto.randomBytes(32)]);
let t: TestDatabase;
let account: TestSmtpServer;
let systemMail: TestSmtpServer;
let dns: TestDnsServer;
let hook: WebhookReceiver;

const GOOGLE: Zone = {
  "_spf.google.com": { txt: ["v=spf1 ip4:209.85.128.0/17 ~all"] },
  "spf.protection.outlook.com": { txt: ["v=spf1 ip4:40.107.0.0/16 -all"] },
  "google._domainkey.watched.example": { txt: ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"] },
  "_dmarc.watched.example": { txt: ["v=DMARC1; p=quarantine"] },
};

beforeAll(async () => {
  t = await createTestDatabase("deliverability-watch");
  [account, systemMail, dns, hook] = await Promise.all([
    startTestSmtpServer(),
    startTestSmtpServer({ user: SYSTEM_MAIL_USER, password: SYSTEM_MAIL_PASSWORD }),
    startTestDnsServer({ ...GOOGLE, "watched.example": { txt: ["v=spf1 include:_spf.google.com ~all"] } }),
    startWebhookReceiver(),
  ]);
});
afterAll(async () => {
  await Promise.all([account?.close(), systemMail?.close(), dns?.close(), hook?.close()]);
  await t?.drop();
});

it("SPF that starts failing for the same domain is alerted once, a week after the last domain check", async () => {
  const org = await createOrg(t.db, "Watched Clinic");
  const owner = await person(t.db, org.id, { email: "owner@watched.example", name: "Owner", role: "OWNER" });
  await saveTestAccount(
    t.db,
    keyring,
    { userId: owner.id, email: owner.email, name: "Owner", orgId: org.id },
    account.starttlsPort,
  );
  // Google Workspace sending as the clinic's own domain (the account itself is the test SMTP server).
  await t.db.emailSettings.update({
    where: { orgId: org.id },
    data: { provider: "google-workspace", fromAddress: "billing@watched.example" },
  });
  const secret = await setWebhook({ db: t.db, keyring }, org.id, hook.url);
  let clock = new Date();
  const deps = {
    ...testWatchDeps(t.db, keyring, systemMail.starttlsPort, () => clock, 3000),
    dns: createDnsResolver({ servers: [dns.address], timeoutMs: 1000, tries: 1 }),
  };
  const day = 86_400_000;

  await runScheduledCheck(deps, org.id); // first domain check: the baseline, SPF passes
  expect(await t.db.domainCheck.findUnique({ where: { orgId: org.id } })).toMatchObject({
    domain: "watched.example",
    spfVerdict: "pass",
    dmarcVerdict: "pass",
  });

  // Someone replaces the SPF record with one that leaves Google out.
  dns.setZone({ ...GOOGLE, "watched.example": { txt: ["v=spf1 include:spf.protection.outlook.com -all"] } });
  clock = new Date(clock.getTime() + 6 * day);
  await runScheduledCheck(deps, org.id); // not a week yet: not looked at
  expect(systemMail.messages).toHaveLength(0);

  clock = new Date(clock.getTime() + day + 1000);
  await runScheduledCheck(deps, org.id);
  expect(await t.db.domainCheck.findUnique({ where: { orgId: org.id } })).toMatchObject({ spfVerdict: "fail" });
  expect(systemMail.messages.map((m) => [m.envelopeTo, m.subject])).toEqual([
    [["owner@watched.example"], "Action needed: mail from watched.example may be junked or refused (Watched Clinic)"],
  ]);
  expect(systemMail.messages[0].raw.replace(/=\r?\n/g, "")).toContain(
    "SPF: The SPF record does not authorise Google Workspace",
  );
  const [request] = await hook.waitFor(1);
  expect(request.json).toMatchObject({
    event: "domain.failing",
    deliverability: { domain: "watched.example", problems: [{ check: "SPF" }] },
  });
  expect(hook.signedWith(request, secret)).toBe(true);

  // A week on, still failing: no new alert.
  clock = new Date(clock.getTime() + 8 * day);
  await runScheduledCheck(deps, org.id);
  expect(systemMail.messages).toHaveLength(1);
  expect(hook.received).toHaveLength(1);
});
