// Server names looked up as the operating system would: the hosts file first, then a real DNS server (dns2 on
// 127.0.0.1): answers, a name that does not exist, and a server that never answers, which must end within the lookup's
// own timeout. Then the scheduled check, wired from the configuration as `npm start` wires it, reaching a real TLS SMTP
// server by a name only a hosts file gives, and by one only a DNS_SERVERS server knows. Run on SQLite and PostgreSQL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import dns2 from "dns2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "@/lib/env";
import { checkAccount } from "@/lib/mailbox/check";
import { emailSettingsSchema } from "@/lib/mailbox/schema";
import { saveEmailSettings } from "@/lib/mailbox/settings";
import { nameLookup, resolveAndCheck } from "@/lib/net/address-guard";
import { createKeyring } from "@/lib/secrets/crypto";
import { watchDeps } from "@/lib/watch/start";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg } from "../helpers/factories";
import { startTestDnsServer, type TestDnsServer } from "../../stand-ins/dns-test-server";
import { startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";

const { Packet } = dns2;
type DnsServer = ReturnType<typeof dns2.createServer>;

const ZONE: Record<string, { a?: string[]; aaaa?: string[] }> = {
  "smtp.clinic.example": { a: ["203.0.114.25"], aaaa: ["2a00:1450:400c:c0a::6c"] },
  "smtp.inside.example": { a: ["10.20.30.40"] },
};

async function startDns(
  handle: (request: InstanceType<typeof Packet>, send: (response: InstanceType<typeof Packet>) => unknown) => void,
) {
  const server = dns2.createServer({ udp: true, handle });
  await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = (server.addresses().udp as { port: number }).port;
  return { server, address: `127.0.0.1:${port}` };
}

let answering: { server: DnsServer; address: string };
let silent: { server: DnsServer; address: string };
let silentQueries = 0;
let dir: string;
/** A hosts file of the test's own, empty unless a test writes to it. */
let hostsFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-dns-lookup-"));
  hostsFile = path.join(dir, "hosts");
  fs.writeFileSync(hostsFile, "");
  answering = await startDns((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const entry = ZONE[question.name.toLowerCase()];
    if (!entry) response.header.rcode = Packet.RCODE.NXDOMAIN;
    const list =
      question.type === Packet.TYPE.A ? entry?.a : question.type === Packet.TYPE.AAAA ? entry?.aaaa : undefined;
    for (const address of list ?? []) {
      response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 60, address }));
    }
    send(response);
  });
  silent = await startDns(() => {
    silentQueries++; // never answers
  });
});
afterAll(async () => {
  await Promise.all([answering?.server.close(), silent?.server.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("nameLookup", () => {
  it("returns the A and AAAA answers of a real DNS server", async () => {
    const lookup = nameLookup({ hostsFile, dnsServers: [answering.address] });
    expect(await lookup("smtp.clinic.example", 2000)).toEqual([
      { address: "203.0.114.25", family: 4 },
      { address: "2a00:1450:400c:c0a::6c", family: 6 },
    ]);
  });

  it("a name that does not exist is not found, and a private answer is refused without naming the address", async () => {
    const lookup = nameLookup({ hostsFile, dnsServers: [answering.address] });
    expect(await resolveAndCheck("smtp.nowhere.example", { allowPrivate: false, lookup })).toMatchObject({
      ok: false,
      reason: "not-found",
    });
    const inside = await resolveAndCheck("smtp.inside.example", { allowPrivate: false, lookup });
    expect(inside).toMatchObject({ ok: false, reason: "blocked" });
    if (!inside.ok) expect(inside.message).not.toContain("10.20.30.40");
  });

  it("a DNS server that never answers ends within the lookup's own timeout, after more than one try", async () => {
    const started = performance.now();
    const lookup = nameLookup({ hostsFile, dnsServers: [silent.address] });
    const result = await resolveAndCheck("smtp.clinic.example", { allowPrivate: false, lookup, lookupTimeoutMs: 800 });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({
      ok: false,
      reason: "lookup-timeout",
      message: "The name smtp.clinic.example could not be looked up: DNS did not answer within 0.8 s.",
    });
    // Not before its timeout; and far sooner than c-ares's own defaults (5 s a try, four tries) would give up, with
    // room for a loaded machine.
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(4000);
    expect(silentQueries).toBeGreaterThanOrEqual(3); // A and AAAA, and at least one retry
  });
});

describe("the hosts file", () => {
  it("is read before DNS, case-insensitively, and read again when it changes", async () => {
    const file = path.join(dir, "hosts-changing");
    fs.writeFileSync(file, "# Docker's extra_hosts\n203.0.114.7\tSMTP.Relay.Example relay  # the relay\n");
    const lookup = nameLookup({ hostsFile: file, dnsServers: [answering.address] });
    expect(await lookup("smtp.relay.example", 2000)).toEqual([{ address: "203.0.114.7", family: 4 }]);
    expect(await lookup("relay.", 2000)).toEqual([{ address: "203.0.114.7", family: 4 }]);
    // A name the hosts file gives wins over DNS, as in the system resolver.
    fs.writeFileSync(
      file,
      "203.0.114.8 smtp.relay.example smtp.clinic.example\n2a00:1450:400c:c0a::7 smtp.relay.example\n",
    );
    expect(await lookup("smtp.relay.example", 2000)).toEqual([
      { address: "203.0.114.8", family: 4 },
      { address: "2a00:1450:400c:c0a::7", family: 6 },
    ]);
    expect(await lookup("smtp.clinic.example", 2000)).toEqual([{ address: "203.0.114.8", family: 4 }]);
    // Gone from the file: DNS answers again.
    fs.writeFileSync(file, "");
    expect(await lookup("smtp.clinic.example", 2000)).toEqual([
      { address: "203.0.114.25", family: 4 },
      { address: "2a00:1450:400c:c0a::6c", family: 6 },
    ]);
  });

  it("its private addresses are refused like DNS answers, without naming them", async () => {
    const file = path.join(dir, "hosts-private");
    fs.writeFileSync(file, "10.20.30.41 smtp.hosts-inside.example\n127.0.0.1 smtp.loopback.example\n");
    const lookup = nameLookup({ hostsFile: file, dnsServers: [answering.address] });
    for (const host of ["smtp.hosts-inside.example", "smtp.loopback.example"]) {
      const result = await resolveAndCheck(host, { allowPrivate: false, lookup });
      expect(result, host).toMatchObject({ ok: false, reason: "blocked" });
      if (!result.ok) expect(result.message).not.toMatch(/10\.20\.30\.41|127\.0\.0\.1/);
    }
    expect(await resolveAndCheck("smtp.hosts-inside.example", { allowPrivate: true, lookup })).toMatchObject({
      ok: true,
      address: "10.20.30.41",
    });
  });
});

describe("the scheduled check reaches an SMTP server by a name", () => {
  // The SMTP stand-in's implicit-TLS listener whose certificate names other.example only: the name must be looked up.
  const NAME = "other.example";
  let t: TestDatabase;
  let smtp: TestSmtpServer;
  let dns: TestDnsServer;
  const keyring = createKeyring([Buffer.alloc(32, 7)]);

  beforeAll(async () => {
    t = await createTestDatabase("dns-lookup");
    [smtp, dns] = await Promise.all([startTestSmtpServer(), startTestDnsServer()]);
  });
  afterAll(async () => {
    await Promise.all([smtp?.close(), dns?.close()]);
    await t?.drop();
  });

  /** The check as `npm start` runs it, with its dependencies made from this configuration by watchDeps. */
  async function checkThrough(vars: Record<string, string>) {
    const source: Record<string, string> = {
      DATA_DIR: path.join(dir, "data"),
      DATABASE_URL: t.url,
      SMTP_ALLOW_PRIVATE_NETWORKS: "true",
      ...vars,
    };
    const e = loadEnv(source as NodeJS.ProcessEnv, dir);
    const org = await createOrg(t.db, `Clinic ${vars.HOSTS_FILE ?? vars.DNS_SERVERS}`);
    const input = emailSettingsSchema.parse({
      provider: "custom",
      host: NAME,
      port: String(smtp.otherNamePort),
      security: "ssl",
      user: smtp.user,
      password: smtp.password,
      fromAddress: smtp.user,
      version: "0",
    });
    await saveEmailSettings(
      { db: t.db, keyring },
      { userId: "u1", email: "admin@clinic.example", name: "Admin", orgId: org.id },
      input,
    );
    smtp.reset();
    const outcome = await checkAccount({ ...watchDeps(t.db, e), keyring }, org.id);
    return { outcome, settings: await t.db.emailSettings.findUniqueOrThrow({ where: { orgId: org.id } }) };
  }

  it("given only by the hosts file (HOSTS_FILE), while DNS_SERVERS does not know it", async () => {
    const file = path.join(dir, "hosts-extra");
    fs.writeFileSync(file, `127.0.0.1 ${NAME}\n`);
    dns.setZone({});
    const { outcome, settings } = await checkThrough({ HOSTS_FILE: file, DNS_SERVERS: dns.address });
    expect(outcome?.result).toMatchObject({ ok: true });
    expect(outcome?.result.steps.find((s) => s.id === "lookup")).toMatchObject({ status: "ok", detail: "127.0.0.1" });
    expect(settings.status).toBe("WORKING");
    expect(smtp.sessions.map((s) => s.user)).toContain(smtp.user);
    expect(dns.queries).toEqual([]);
  });

  it("known only to the DNS_SERVERS server, with an empty hosts file", async () => {
    dns.setZone({ [NAME]: { a: ["127.0.0.1"] } });
    const { outcome, settings } = await checkThrough({ HOSTS_FILE: hostsFile, DNS_SERVERS: dns.address });
    expect(outcome?.result).toMatchObject({ ok: true });
    expect(settings.status).toBe("WORKING");
    expect(smtp.sessions.map((s) => s.user)).toContain(smtp.user);
    expect(dns.queries).toContainEqual({ name: NAME, type: "A" });
  });
});
