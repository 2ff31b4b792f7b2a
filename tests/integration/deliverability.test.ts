// The Deliverability card's checks against a real DNS server (dns2 on 127.0.0.1) serving one zone per
// case: what each check says, and the exact record it suggests. The providers' own SPF records are in the zone too,
// so nested includes and redirects are evaluated as a receiver would.
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDomain, type DomainReport } from "@/lib/deliverability/check-domain";
import { createDnsResolver } from "@/lib/deliverability/resolver";
import {
  startSilentDnsServer,
  startTestDnsServer,
  type TestDnsServer,
  type Zone,
} from "../../stand-ins/dns-test-server";

const DKIM_KEY = `v=DKIM1; k=rsa; p=${"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(6)}`;

/** The providers' published SPF, as far as the checks need it. */
const PROVIDERS: Zone = {
  "_spf.google.com": { txt: ["v=spf1 include:_netblocks.google.com include:_netblocks2.google.com ~all"] },
  "_netblocks.google.com": { txt: ["v=spf1 ip4:209.85.128.0/17 ip4:74.125.0.0/16 ~all"] },
  "_netblocks2.google.com": { txt: ["v=spf1 ip6:2001:4860:4000::/36 ~all"] },
  "spf.protection.outlook.com": { txt: ["v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 -all"] },
};

/** A chain of 11 includes: one lookup too many. */
const chain: Zone = Object.fromEntries(
  Array.from({ length: 11 }, (_, i) => [
    `l${i}.chain.example`,
    { txt: [i < 10 ? `v=spf1 include:l${i + 1}.chain.example ~all` : "v=spf1 ip4:198.51.100.7 ~all"] },
  ]),
);

const ZONE: Zone = {
  ...PROVIDERS,
  ...chain,
  "nospf.example": {
    mx: [
      { exchange: "aspmx.l.google.com", priority: 1 },
      { exchange: "alt1.aspmx.l.google.com", priority: 5 },
    ],
  },
  "otherspf.example": { txt: ["v=spf1 include:spf.protection.outlook.com -all", "google-site-verification=xyz"] },
  "twospf.example": { txt: ["v=spf1 include:_spf.google.com ~all", "v=spf1 ip4:203.0.113.5 -all"] },
  "toomany.example": { txt: ["v=spf1 include:l0.chain.example include:_spf.google.com ~all"] },
  "nested.example": { txt: ["v=spf1 include:spf.mailhost.example ~all"] },
  "spf.mailhost.example": { txt: ["v=spf1 ip4:198.51.100.0/24 include:_spf.google.com -all"] },
  "redirected.example": { txt: ["v=spf1 redirect=nested.example"] },
  "anyone.example": { txt: ["v=spf1 +all"] },
  "google._domainkey.signed.example": { txt: [DKIM_KEY] },
  "signed.example": { txt: ["v=spf1 include:_spf.google.com ~all"] },
  "_dmarc.signed.example": { txt: ["v=DMARC1; p=reject; adkim=s; rua=mailto:dmarc@signed.example"] },
  "_dmarc.nested.example": { txt: ["v=DMARC1; p=none; rua=mailto:reports@nested.example"] },
  "_dmarc.otherspf.example": { txt: ["v=DMARC1; p=quarantine"] },
  "m365.example": { txt: ["v=spf1 include:spf.protection.outlook.com -all"] },
  "selector1._domainkey.m365.example": { cname: "selector1-m365-example._domainkey.clinic.onmicrosoft.com" },
  "selector2._domainkey.m365.example": { cname: "selector2-m365-example._domainkey.clinic.onmicrosoft.com" },
  "clinic.example": {
    txt: ["v=spf1 include:_spf.google.com ~all"],
    mx: [{ exchange: "smtp.google.com", priority: 1 }],
  },
  "google._domainkey.clinic.example": { txt: [DKIM_KEY] },
  "m365half.example": { txt: ["v=spf1 include:spf.protection.outlook.com -all"] },
  "selector1._domainkey.m365half.example": { cname: "selector1-m365half-example._domainkey.clinic.onmicrosoft.com" },
};

let dns: TestDnsServer;
beforeAll(async () => {
  dns = await startTestDnsServer(ZONE);
});
afterAll(async () => {
  await dns?.close();
});

const check = (fromAddress: string, presetId = "google-workspace", smtpHost = "smtp.gmail.com", user = fromAddress) =>
  checkDomain(createDnsResolver({ servers: [dns.address], timeoutMs: 1000, tries: 1 }), {
    fromAddress,
    presetId,
    user,
    smtpHost,
  });
type Checked = Extract<DomainReport, { handledByProvider: false }>;
const checked = async (fromAddress: string, presetId?: string) => (await check(fromAddress, presetId)) as Checked;

describe("SPF for Google Workspace", () => {
  it("missing: Fail, with the record to add; MX shown for information", async () => {
    const r = await checked("billing@nospf.example");
    expect(r.spf).toMatchObject({
      verdict: "fail",
      summary:
        "nospf.example has no SPF record, so receivers cannot tell that Google Workspace may send as nospf.example.",
      fixes: [{ host: "nospf.example", type: "TXT", value: "v=spf1 include:_spf.google.com ~all" }],
      guideUrl: "https://support.google.com/a/answer/174124",
    });
    expect(r.mx).toEqual(["aspmx.l.google.com", "alt1.aspmx.l.google.com"]);
  });

  it("without the provider: Fail, and the new value keeps the existing mechanisms and its -all", async () => {
    const r = await checked("billing@otherspf.example");
    expect(r.spf.verdict).toBe("fail");
    expect(r.spf.summary).toBe(
      "The SPF record does not authorise Google Workspace's servers, so mail it sends as otherspf.example fails SPF.",
    );
    expect(r.spf.current).toEqual(["v=spf1 include:spf.protection.outlook.com -all"]);
    expect(r.spf.fixes).toEqual([
      {
        host: "otherspf.example",
        type: "TXT",
        value: "v=spf1 include:spf.protection.outlook.com include:_spf.google.com -all",
        replaces: ["v=spf1 include:spf.protection.outlook.com -all"],
        note: "Change the existing record to this value: never add a second SPF record.",
      },
    ]);
  });

  it("two SPF records: Fail (a permanent error), with one merged record replacing both", async () => {
    const r = await checked("billing@twospf.example");
    expect(r.spf).toMatchObject({ verdict: "fail", summary: expect.stringContaining("has 2 SPF records") as unknown });
    expect(r.spf.fixes).toEqual([
      {
        host: "twospf.example",
        type: "TXT",
        value: "v=spf1 include:_spf.google.com ip4:203.0.113.5 -all",
        replaces: ["v=spf1 include:_spf.google.com ~all", "v=spf1 ip4:203.0.113.5 -all"],
        note: "Replace all of them with this one record.",
      },
    ]);
  });

  it("over 10 lookups through nested includes: Fail, even though Google's include is there", async () => {
    const r = await checked("billing@toomany.example");
    expect(r.spf.verdict).toBe("fail");
    expect(r.spf.summary).toBe(
      "The SPF record needs more than 10 DNS lookups (through its includes), which is a permanent error: SPF fails for every sender.",
    );
    expect(r.spf.fixes?.[0]).toMatchObject({ host: "toomany.example", value: "v=spf1 include:_spf.google.com ~all" });
  });

  it("the provider through a nested include, or a redirect: Pass", async () => {
    for (const address of ["billing@nested.example", "billing@redirected.example"]) {
      const r = await checked(address);
      expect(r.spf, address).toMatchObject({
        verdict: "pass",
        summary: "The SPF record authorises Google Workspace's servers.",
      });
      expect(r.spf.fixes).toBeUndefined();
    }
  });

  it("+all: Fail, and the suggestion takes it out", async () => {
    const r = await checked("billing@anyone.example");
    expect(r.spf).toMatchObject({ verdict: "fail", summary: expect.stringContaining("+all") as unknown });
    expect(r.spf.fixes?.[0].value).toBe("v=spf1 include:_spf.google.com ~all");
  });
});

describe("DKIM", () => {
  it("Google Workspace: missing is Fail with the selector's host; present is Pass", async () => {
    const missing = await checked("billing@nospf.example");
    expect(missing.dkim.verdict).toBe("fail");
    expect(missing.dkim.fixes).toEqual([
      {
        host: "google._domainkey.nospf.example",
        type: "TXT",
        value: expect.stringContaining(
          "Google Admin console: Apps → Google Workspace → Gmail → Authenticate email",
        ) as unknown,
      },
    ]);
    const present = await checked("billing@signed.example");
    expect(present.dkim).toMatchObject({
      verdict: "pass",
      summary: "Google Workspace's DKIM signing keys are published (google).",
    });
  });

  it("Microsoft 365: both selector CNAMEs are Pass; a missing one is Fail, naming it with its value", async () => {
    expect((await checked("billing@m365.example", "microsoft-365")).dkim.verdict).toBe("pass");
    const half = await checked("billing@m365half.example", "microsoft-365");
    expect(half.dkim.verdict).toBe("fail");
    expect(half.dkim.fixes).toEqual([
      {
        host: "selector2._domainkey.m365half.example",
        type: "CNAME",
        value: expect.stringMatching(
          /^selector2-m365half-example\._domainkey\.<your tenant>\.onmicrosoft\.com/,
        ) as unknown,
      },
    ]);
    expect(half.spf.verdict).toBe("pass");
  });

  it("a selector chosen at set-up (Mailgun): Warning, saying where to find it", async () => {
    const r = await checked("billing@nospf.example", "mailgun");
    expect(r.dkim).toMatchObject({
      verdict: "warning",
      summary: expect.stringContaining("._domainkey.nospf.example") as unknown,
    });
  });
});

describe("DMARC", () => {
  it("missing: Fail, with a starting record", async () => {
    const r = await checked("billing@nospf.example");
    expect(r.dmarc.verdict).toBe("fail");
    expect(r.dmarc.fixes).toEqual([
      expect.objectContaining({
        host: "_dmarc.nospf.example",
        type: "TXT",
        value: "v=DMARC1; p=none; rua=mailto:dmarc-reports@nospf.example",
      }),
    ]);
  });

  it("p=none: Warning, with the same record moved to quarantine", async () => {
    const r = await checked("billing@nested.example");
    expect(r.dmarc.verdict).toBe("warning");
    expect(r.dmarc.summary).toContain("only watches (p=none)");
    expect(r.dmarc.fixes).toEqual([
      {
        host: "_dmarc.nested.example",
        type: "TXT",
        value: "v=DMARC1; p=quarantine; rua=mailto:reports@nested.example",
        replaces: ["v=DMARC1; p=none; rua=mailto:reports@nested.example"],
      },
    ]);
  });

  it("p=reject: Pass, with the policy and alignment in words", async () => {
    const r = await checked("billing@signed.example");
    expect(r.dmarc).toMatchObject({ verdict: "pass" });
    expect(r.dmarc.summary).toBe(
      "DMARC is set: receivers refuse mail as signed.example that fails SPF and DKIM. Alignment: DKIM strict (the exact domain), SPF relaxed.",
    );
  });
});

describe("the Google Mail preset", () => {
  it("a User on the clinic's own domain with Google MX is Google Workspace: its published DKIM key passes", async () => {
    const r = (await check(
      "billing@clinic.example",
      "google-mail",
      "smtp.gmail.com",
      "billing@clinic.example",
    )) as Checked;
    expect(r.providerName).toBe("Google Workspace");
    expect(r.mx).toEqual(["smtp.google.com"]);
    expect(r.dkim).toMatchObject({
      verdict: "pass",
      summary: "Google Workspace's DKIM signing keys are published (google).",
      current: ["google._domainkey.clinic.example (TXT key)"],
    });
    expect(r.spf.verdict).toBe("pass");
    expect(JSON.stringify(r)).not.toMatch(/personal Gmail/i);
  });

  it("a gmail.com User sending as the clinic's domain is a personal account: it cannot sign for the domain", async () => {
    for (const presetId of ["google-mail", "google-workspace"]) {
      const r = (await check(
        "billing@clinic.example",
        presetId,
        "smtp.gmail.com",
        "clinic.accounts@gmail.com",
      )) as Checked;
      expect(r.providerName, presetId).toBe("Google Mail (Gmail)");
      expect(r.dkim, presetId).toMatchObject({
        verdict: "warning",
        summary: expect.stringContaining("A personal Gmail account cannot sign mail for your own domain.") as unknown,
      });
    }
  });
});

it("addresses at mailbox providers are handled by the provider: no checks", async () => {
  expect(await check("clinic.accounts@gmail.com", "google-mail")).toEqual({
    domain: "gmail.com",
    handledByProvider: true,
    providerName: "Google Mail (Gmail)",
  });
  expect(await check("Reception@Outlook.com", "outlook-com")).toMatchObject({ handledByProvider: true });
});

it("name servers that never answer: every check says it could not be checked, quickly, and none says Fail", async () => {
  const silent = await startSilentDnsServer();
  try {
    const started = performance.now();
    const r = (await checkDomain(createDnsResolver({ servers: [silent.address], timeoutMs: 300, tries: 1 }), {
      fromAddress: "billing@clinic.example",
      presetId: "google-workspace",
      user: "billing@clinic.example",
      smtpHost: "smtp.gmail.com",
    })) as Checked;
    expect(performance.now() - started).toBeLessThan(5_000);
    for (const item of [r.spf, r.dkim, r.dmarc]) {
      expect(item.verdict).toBe("unknown");
      expect(item.summary).toMatch(/could not be checked: the name servers of clinic\.example did not answer in time/);
    }
    expect(r.mx).toBeNull();
  } finally {
    await silent.close();
  }
});
