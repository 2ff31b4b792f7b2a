// Stops the test-send from being used to probe the host's own network. The server name is resolved as the operating
// system would (the hosts file first, then DNS queries with their own timeout); every address must be global unicast.
// The connection then goes to the checked address itself, so a second DNS answer (DNS rebinding) cannot send it
// elsewhere.
import "server-only";
import dns from "node:dns";
import net from "node:net";
import { hostsFileAddresses } from "./hosts-file";

/** A name's addresses, found within timeoutMs. */
export type LookupAll = (host: string, timeoutMs: number) => Promise<{ address: string; family: number }[]>;

/** Where names are looked up (HOSTS_FILE and DNS_SERVERS): the same for SMTP servers, webhooks and OpenID endpoints. */
export type NameSources = {
  /** Read first, as the system resolver does; default /etc/hosts. */
  hostsFile?: string;
  /** "host:port" DNS servers; the system's when absent. */
  dnsServers?: readonly string[];
};

export const DEFAULT_HOSTS_FILE = "/etc/hosts";

/** DNS did not answer in time (as opposed to answering that the name does not exist). */
export class LookupTimeout extends Error {}

const TIMEOUT_CODES = new Set([dns.TIMEOUT, dns.CANCELLED, "ETIMEOUT", "ECANCELLED"]);

/**
 * Looks a name up in the hosts file, then with DNS queries through c-ares (dns.Resolver), each try with a timeout and
 * the whole lookup within timeoutMs. Not dns.lookup: that runs getaddrinfo on libuv's thread pool without any
 * timeout, so a slow DNS server would hold threads that password hashing and file access share, stalling sign-ins on
 * the same instance; and it could not ask DNS_SERVERS. "localhost" is loopback by definition (RFC 6761).
 */
export function nameLookup(sources: NameSources = {}, options: { tries?: number } = {}): LookupAll {
  const tries = options.tries ?? 2;
  const hostsFile = sources.hostsFile ?? DEFAULT_HOSTS_FILE;
  return async (host, timeoutMs) => {
    const name = host.replace(/\.$/, "").toLowerCase();
    if (name === "localhost" || name.endsWith(".localhost")) {
      return [
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ];
    }
    const listed = await hostsFileAddresses(hostsFile, name);
    if (listed.length > 0) return listed;
    const resolver = new dns.promises.Resolver({
      timeout: Math.max(50, Math.floor(timeoutMs / (tries + 1))),
      tries,
    });
    if (sources.dnsServers?.length) resolver.setServers([...sources.dnsServers]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      const answers = await Promise.race([
        Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]),
        deadline,
      ]);
      if (answers === "timeout") throw new LookupTimeout(`DNS did not answer for ${host} within ${timeoutMs} ms`);
      const [v4, v6] = answers;
      const records = [
        ...(v4.status === "fulfilled" ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === "fulfilled" ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ];
      if (records.length > 0) return records;
      const codes = [v4, v6].map((r) => (r.status === "rejected" ? (r.reason as { code?: string }).code : undefined));
      if (codes.some((code) => code && TIMEOUT_CODES.has(code)))
        throw new LookupTimeout(`DNS did not answer for ${host}`);
      throw Object.assign(new Error(`${host} not found`), { code: "ENOTFOUND" });
    } finally {
      clearTimeout(timer);
      resolver.cancel();
    }
  };
}

const IPV4_RANGES: [cidr: string, reason: string][] = [
  ["0.0.0.0/8", "an unspecified address"],
  ["10.0.0.0/8", "a private network address"],
  ["100.64.0.0/10", "a carrier-grade NAT address"],
  ["127.0.0.0/8", "a loopback address (this server itself)"],
  ["169.254.0.0/16", "a link-local address (including cloud metadata services)"],
  ["172.16.0.0/12", "a private network address"],
  ["192.0.0.0/24", "a reserved address"],
  ["192.0.2.0/24", "a documentation address"],
  ["192.88.99.0/24", "a 6to4 relay address"],
  ["192.168.0.0/16", "a private network address"],
  ["198.18.0.0/15", "a benchmarking address"],
  ["198.51.100.0/24", "a documentation address"],
  ["203.0.113.0/24", "a documentation address"],
  ["224.0.0.0/4", "a multicast address"],
  ["240.0.0.0/4", "a reserved address"],
];

const IPV6_RANGES: [cidr: string, reason: string][] = [
  ["fc00::/7", "a unique-local (private) address"],
  ["fe80::/10", "a link-local address"],
  ["ff00::/8", "a multicast address"],
  ["64:ff9b:1::/48", "a private NAT64 address"],
  ["100::/64", "a discard-only address"],
  ["2001::/32", "a Teredo tunnel address"],
  ["2001:2::/48", "a benchmarking address"],
  ["2001:db8::/32", "a documentation address"],
  ["2002::/16", "a 6to4 tunnel address"],
  ["3fff::/20", "a documentation address"],
  ["fec0::/10", "a site-local address"],
];

/**
 * IPv6 prefixes whose last 32 bits carry an IPv4 address, which is what gets judged: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
 */
const CARRIES_IPV4 = ["::ffff:", "::ffff:0:", "::", "64:ff9b::"];

/** An ordered rule: an address in one of its ranges gets its reason (null: allowed). */
type Rule = { ranges: net.BlockList; reason: string | null };

function rule(cidrs: string[], reason: string | null): Rule {
  const ranges = new net.BlockList();
  for (const cidr of cidrs) {
    const [ip, bits] = cidr.split("/");
    ranges.addSubnet(ip, Number(bits), net.isIP(ip) === 6 ? "ipv6" : "ipv4");
  }
  return { ranges, reason };
}

const IPV4_RULES = IPV4_RANGES.map(([cidr, reason]) => rule([cidr], reason));

// First match wins; an IPv6 address in none of them is reserved.
const IPV6_RULES = [
  // Before the IPv4-compatible form would read them as 0.0.0.0 and 0.0.0.1.
  rule(["::/128"], "an unspecified address"),
  rule(["::1/128"], "a loopback address (this server itself)"),
  ...IPV4_RANGES.map(([cidr, reason]) => {
    const [ip, bits] = cidr.split("/");
    return rule(
      CARRIES_IPV4.map((prefix) => `${prefix}${ip}/${96 + Number(bits)}`),
      reason,
    );
  }),
  rule(
    CARRIES_IPV4.map((prefix) => `${prefix}0.0.0.0/96`),
    null,
  ), // a public IPv4 address inside
  ...IPV6_RANGES.map(([cidr, reason]) => rule([cidr], reason)),
  rule(["2000::/3"], null), // global unicast
];

/** Why an address may not be connected to, or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const family = net.isIP(address);
  if (family === 4) return IPV4_RULES.find((r) => r.ranges.check(address, "ipv4"))?.reason ?? null;
  if (family === 6) {
    const match = IPV6_RULES.find((r) => r.ranges.check(address, "ipv6"));
    return match ? match.reason : "a reserved address";
  }
  return "not an IP address";
}

const LOOPBACK = rule(["127.0.0.0/8", "::1/128", "::ffff:127.0.0.0/104"], null).ranges;

/** Whether a client's address is this machine itself (127.0.0.0/8 or ::1). */
export function isLoopbackAddress(address: string | null): boolean {
  const family = address ? net.isIP(address) : 0;
  return family !== 0 && LOOPBACK.check(address!, family === 4 ? "ipv4" : "ipv6");
}

export type GuardResult =
  | { ok: true; addresses: string[]; address: string }
  | { ok: false; reason: "not-found" | "lookup-timeout"; message: string }
  | { ok: false; reason: "blocked"; message: string; address: string };

/** How long a name lookup may take within a test's overall budget. */
export function lookupBudgetMs(budgetMs: number): number {
  return Math.min(5000, Math.max(500, Math.round(budgetMs / 3)));
}

export async function resolveAndCheck(
  host: string,
  options: { allowPrivate: boolean; lookup?: LookupAll; lookupTimeoutMs?: number },
): Promise<GuardResult> {
  const timeoutMs = options.lookupTimeoutMs ?? 5000;
  const lookup = options.lookup ?? nameLookup();
  let records: { address: string; family: number }[];
  try {
    records = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await lookup(host, timeoutMs);
  } catch (err) {
    if (err instanceof LookupTimeout) {
      const seconds = Math.round(timeoutMs / 100) / 10;
      return {
        ok: false,
        reason: "lookup-timeout",
        message: `The name ${host} could not be looked up: DNS did not answer within ${seconds} s.`,
      };
    }
    return { ok: false, reason: "not-found", message: `The server name ${host} could not be found.` };
  }
  if (records.length === 0) {
    return { ok: false, reason: "not-found", message: `The server name ${host} could not be found.` };
  }
  if (!options.allowPrivate) {
    for (const { address } of records) {
      const reason = blockedReason(address);
      if (reason) {
        // The address itself is kept for the server's own use, never put in the message: a test send must not
        // tell whoever runs it what lies inside this host's network.
        return {
          ok: false,
          reason: "blocked",
          address,
          message: `${host} points to a private or internal address. For safety this service only connects to public mail servers.`,
        };
      }
    }
  }
  // Prefer IPv4: many hosting networks have no outbound IPv6 route.
  const ordered = [...records].sort((a, b) => a.family - b.family).map((r) => r.address);
  return { ok: true, addresses: ordered, address: ordered[0] };
}
