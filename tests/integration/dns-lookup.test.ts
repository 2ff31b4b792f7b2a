// The test send's name lookup against a real DNS server (dns2 on 127.0.0.1): answers, a name that does not exist,
// and a server that never answers, which must end within the lookup's own timeout.
import { performance } from "node:perf_hooks";
import dns2 from "dns2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dnsLookup, resolveAndCheck } from "@/lib/net/address-guard";

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

beforeAll(async () => {
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
});

describe("dnsLookup", () => {
  it("returns the A and AAAA answers of a real DNS server", async () => {
    const lookup = dnsLookup({ timeoutMs: 2000, servers: [answering.address] });
    expect(await lookup("smtp.clinic.example")).toEqual([
      { address: "203.0.114.25", family: 4 },
      { address: "2a00:1450:400c:c0a::6c", family: 6 },
    ]);
  });

  it("a name that does not exist is not found, and a private answer is refused without naming the address", async () => {
    const lookup = dnsLookup({ timeoutMs: 2000, servers: [answering.address] });
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
    const lookup = dnsLookup({ timeoutMs: 800, servers: [silent.address] });
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
