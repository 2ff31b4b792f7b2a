// DNS lookups for the deliverability checks: Node's own resolver (c-ares, never the thread pool) with a timeout and
// a number of tries per query, pointed at DNS_SERVERS when the operator sets them (split DNS; tests). Its shape is
// the one mailauth takes: resolve(name, type) as dns.promises.resolve, failing with ENOTFOUND / ENODATA for no record
// and ETIMEOUT when the name servers do not answer.
import "server-only";
import { Resolver } from "node:dns/promises";

export type DnsResolve = (name: string, rrtype: string) => Promise<never[]>;

export type DnsOptions = {
  /** "host:port" entries (DNS_SERVERS); the system's servers when absent. */
  servers?: readonly string[];
  /** Per try, in milliseconds (default 2000). */
  timeoutMs?: number;
  /** Tries per query (default 2). */
  tries?: number;
};

/** Errors that mean "there is no such record" rather than "DNS did not answer". */
export const NO_RECORD = new Set(["ENOTFOUND", "ENODATA", "EBADNAME"]);

export function createDnsResolver(options: DnsOptions = {}): DnsResolve {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  if (options.servers?.length) resolver.setServers([...options.servers]);
  return (name, rrtype) => resolver.resolve(name, rrtype) as Promise<never[]>;
}

/** TXT records as whole strings (character-strings joined), [] when there are none. Throws when DNS does not answer. */
export async function txtRecords(resolve: DnsResolve, name: string): Promise<string[]> {
  try {
    return ((await resolve(name, "TXT")) as unknown as string[][]).map((parts) => parts.join(""));
  } catch (err) {
    if (NO_RECORD.has((err as NodeJS.ErrnoException).code ?? "")) return [];
    throw err;
  }
}

/** The CNAME target of a name, or null. Throws when DNS does not answer. */
export async function cnameTarget(resolve: DnsResolve, name: string): Promise<string | null> {
  try {
    return ((await resolve(name, "CNAME")) as unknown as string[])[0] ?? null;
  } catch (err) {
    if (NO_RECORD.has((err as NodeJS.ErrnoException).code ?? "")) return null;
    throw err;
  }
}
