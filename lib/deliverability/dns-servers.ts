// DNS_SERVERS, validated with the rest of the configuration (lib/env.ts).

/** "DNS_SERVERS must be …" when an entry is not an IP address with an optional port, else null. */
export function dnsServersProblem(entries: readonly string[]): string | null {
  const ok = (entry: string) =>
    /^(\d{1,3}\.){3}\d{1,3}(:\d{1,5})?$/.test(entry) ||
    /^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(entry) ||
    /^[0-9a-f:]+:[0-9a-f:]*$/i.test(entry);
  return entries.every(ok)
    ? null
    : "DNS_SERVERS must be comma-separated IP addresses with optional ports, like 10.0.0.2:53,[fd00::53]:53";
}
