// The DNS test server itself, through Node's resolver (as the deliverability checks use it): TXT (long ones split
// into character-strings), MX, CNAME, NXDOMAIN vs NODATA, a zone changed mid-test, and over TCP as over UDP.
import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSilentDnsServer, startTestDnsServer, type TestDnsServer } from "../../stand-ins/dns-test-server";

let dns: TestDnsServer;
const long = `v=DKIM1; k=rsa; p=${"A".repeat(380)}`;
beforeAll(async () => {
  dns = await startTestDnsServer({
    "Clinic.Example": {
      txt: ["v=spf1 include:_spf.google.com ~all", "google-site-verification=abc"],
      mx: [{ exchange: "aspmx.l.google.com", priority: 1 }],
    },
    "google._domainkey.clinic.example": { txt: [long] },
    "selector1._domainkey.clinic.example": { cname: "selector1-clinic-example._domainkey.clinic.onmicrosoft.com" },
  });
});
afterAll(async () => {
  await dns?.close();
});
const resolver = () => {
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([dns.address]);
  return r;
};

it("answers TXT, MX and CNAME; a long TXT comes back whole; unknown names are NXDOMAIN, known ones without the type NODATA", async () => {
  expect(await resolver().resolveTxt("clinic.example")).toEqual([
    ["v=spf1 include:_spf.google.com ~all"],
    ["google-site-verification=abc"],
  ]);
  expect(await resolver().resolveMx("clinic.example")).toEqual([
    expect.objectContaining({ exchange: "aspmx.l.google.com", priority: 1 }),
  ]);
  expect((await resolver().resolveTxt("google._domainkey.clinic.example"))[0].join("")).toBe(long);
  expect(await resolver().resolveCname("selector1._domainkey.clinic.example")).toEqual([
    "selector1-clinic-example._domainkey.clinic.onmicrosoft.com",
  ]);
  await expect(resolver().resolveTxt("_dmarc.clinic.example")).rejects.toMatchObject({ code: "ENOTFOUND" });
  await expect(resolver().resolveMx("google._domainkey.clinic.example")).rejects.toMatchObject({ code: "ENODATA" });
  dns.setZone({ "_dmarc.clinic.example": { txt: ["v=DMARC1; p=none"] } });
  expect(await resolver().resolveTxt("_dmarc.clinic.example")).toEqual([["v=DMARC1; p=none"]]);
  expect(dns.queries.at(-1)).toEqual({ name: "_dmarc.clinic.example", type: "TXT" });
});

it("a silent server never answers: the resolver gives up with a timeout", async () => {
  const silent = await startSilentDnsServer();
  try {
    const r = new Resolver({ timeout: 300, tries: 1 });
    r.setServers([silent.address]);
    await expect(r.resolveTxt("clinic.example")).rejects.toMatchObject({ code: "ETIMEOUT" });
    expect(silent.queries).toBeGreaterThan(0);
  } finally {
    await silent.close();
  }
});

it("answerDelayMs holds every answer: an empty zone's NXDOMAIN comes only after the delay", async () => {
  const slow = await startTestDnsServer({}, { answerDelayMs: 300 });
  try {
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([slow.address]);
    const started = Date.now();
    await expect(r.resolveTxt("clinic.example")).rejects.toMatchObject({ code: "ENOTFOUND" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(slow.queries[0]).toEqual({ name: "clinic.example", type: "TXT" });
  } finally {
    await slow.close();
  }
});
