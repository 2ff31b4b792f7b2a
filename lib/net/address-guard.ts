// Stops the test-send from being used to probe the host's own network. The server name is resolved with DNS
// queries (A and AAAA) that have their own timeout; every address must be global unicast. The connection then goes
// to the checked address itself, so a second DNS answer (DNS rebinding) cannot send it elsewhere.
import "server-only";
import dns from "node:dns";
import net from "node:net";

export type LookupAll = (host: string) => Promise<{ address: string; family: number }[]>;

/** DNS did not answer in time (as opposed to answering that the name does not exist). */
export class LookupTimeout extends Error {}

const TIMEOUT_CODES = new Set([dns.TIMEOUT, dns.CANCELLED, "ETIMEOUT", "ECANCELLED"]);

/**
 * Looks a name up with DNS queries through c-ares (dns.Resolver), each try with a timeout, and the whole lookup
 * within timeoutMs. Not dns.lookup: that runs getaddrinfo on libuv's thread pool without any timeout, so a slow DNS
 * server would hold threads that password hashing and file access share, stalling sign-ins on the same instance.
 * "localhost" is loopback by definition (RFC 6761) and needs no query.
 */
export function dnsLookup(options: { timeoutMs: number; tries?: number; servers?: string[] }): LookupAll {
  const tries = options.tries ?? 2;
  return async (host) => {
    const name = host.replace(/\.$/, "").toLowerCase();
    if (name === "localhost" || name.endsWith(".localhost")) {
      return [
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ];
    }
    const resolver = new dns.promises.Resolver({ timeout: Math.max(50, Math.floor(options.timeoutMs / (tries + 1))), tries });
    if (options.servers) resolver.setServers(options.servers);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
    });
    try {
      const answers = await Promise.race([Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]), deadline]);
      if (answers === "timeout") throw new LookupTimeout(`DNS did not answer for ${host} within ${options.timeoutMs} ms`);
      const [v4, v6] = answers;
      const records = [
        ...(v4.status === "fulfilled" ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === "fulfilled" ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ];
      if (records.length > 0) return records;
      const codes = [v4, v6].map((r) => (r.status === "rejected" ? (r.reason as { code?: string }).code : undefined));
      if (codes.some((code) => code && TIMEOUT_CODES.has(code))) throw new LookupTimeout(`DNS did not answer for ${host}`);
      throw Object.assign(new Error(`${host} not found`), { code: "ENOTFOUND" });
    } finally {
      clearTimeout(timer);
      resolver.cancel();
    }
  };
}

type Range = { base: bigint; bits: number; size: 32 | 128; label: string };

function ipv4ToBigInt(ip: string): bigint {
  return ip.split(".").reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip.toLowerCase();
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBigInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headParts = head ? head.split(":").filter(Boolean) : [];
  const tailParts = tail ? tail.split(":").filter(Boolean) : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail === undefined ? headParts : [...headParts, ...Array(missing).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) + BigInt(parseInt(part, 16)), 0n);
}

function v4(cidr: string, label: string): Range {
  const [ip, bits] = cidr.split("/");
  return { base: ipv4ToBigInt(ip), bits: Number(bits), size: 32, label };
}
function v6(cidr: string, label: string): Range {
  const [ip, bits] = cidr.split("/");
  return { base: ipv6ToBigInt(ip), bits: Number(bits), size: 128, label };
}

const BLOCKED_V4: Range[] = [
  v4("0.0.0.0/8", "an unspecified address"),
  v4("10.0.0.0/8", "a private network address"),
  v4("100.64.0.0/10", "a carrier-grade NAT address"),
  v4("127.0.0.0/8", "a loopback address (this server itself)"),
  v4("169.254.0.0/16", "a link-local address (including cloud metadata services)"),
  v4("172.16.0.0/12", "a private network address"),
  v4("192.0.0.0/24", "a reserved address"),
  v4("192.0.2.0/24", "a documentation address"),
  v4("192.88.99.0/24", "a 6to4 relay address"),
  v4("192.168.0.0/16", "a private network address"),
  v4("198.18.0.0/15", "a benchmarking address"),
  v4("198.51.100.0/24", "a documentation address"),
  v4("203.0.113.0/24", "a documentation address"),
  v4("224.0.0.0/4", "a multicast address"),
  v4("240.0.0.0/4", "a reserved address"),
];

const BLOCKED_V6: Range[] = [
  v6("::/128", "an unspecified address"),
  v6("::1/128", "a loopback address (this server itself)"),
  v6("fc00::/7", "a unique-local (private) address"),
  v6("fe80::/10", "a link-local address"),
  v6("ff00::/8", "a multicast address"),
  v6("64:ff9b:1::/48", "a private NAT64 address"),
  v6("100::/64", "a discard-only address"),
  v6("2001::/32", "a Teredo tunnel address"),
  v6("2001:2::/48", "a benchmarking address"),
  v6("2001:db8::/32", "a documentation address"),
  v6("2002::/16", "a 6to4 tunnel address"),
  v6("3fff::/20", "a documentation address"),
  v6("fec0::/10", "a site-local address"),
];

/** IPv6 global unicast: anything outside it (once the ranges above are refused) is reserved. */
const GLOBAL_UNICAST_V6 = v6("2000::/3", "global unicast");

function inRange(value: bigint, range: Range): boolean {
  const shift = BigInt(range.size - range.bits);
  return value >> shift === range.base >> shift;
}

/** Why an address may not be connected to, or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const family = net.isIP(address);
  if (family === 4) {
    const n = ipv4ToBigInt(address);
    return BLOCKED_V4.find((r) => inRange(n, r))?.label ?? null;
  }
  if (family === 6) {
    const n = ipv6ToBigInt(address);
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible and NAT64 forms carry an
    // IPv4 address: judge that one.
    const high = n >> 32n;
    const mapped = high === 0xffffn || high === 0xffff0000n || high === 0n || high === 0x64ff9b0000000000000000n;
    if (mapped && n > 1n) {
      const embedded = n & 0xffffffffn;
      const dotted = [24n, 16n, 8n, 0n].map((s) => Number((embedded >> s) & 0xffn)).join(".");
      const reason = blockedReason(dotted);
      if (reason) return reason;
      if (high !== 0x64ff9b0000000000000000n) return null;
    }
    const blocked = BLOCKED_V6.find((r) => inRange(n, r))?.label;
    if (blocked) return blocked;
    return inRange(n, GLOBAL_UNICAST_V6) || high === 0x64ff9b0000000000000000n ? null : "a reserved address";
  }
  return "not an IP address";
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
  const lookup = options.lookup ?? dnsLookup({ timeoutMs });
  let records: { address: string; family: number }[];
  try {
    records = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await lookup(host);
  } catch (err) {
    if (err instanceof LookupTimeout) {
      const seconds = Math.round(timeoutMs / 100) / 10;
      return { ok: false, reason: "lookup-timeout", message: `The name ${host} could not be looked up: DNS did not answer within ${seconds} s.` };
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
