// The client's address for the sign-in throttle. Plain JavaScript because `npm start` (server.mjs) uses it before
// Next.js sees the request, and the app reads the result back from X-Forwarded-For (clientAddressFrom).

/** The largest TRUSTED_PROXY_HOPS accepted: more proxies than this in front of one app is a misconfiguration. */
const MAX_HOPS = 10;

export const TRUSTED_PROXY_HOPS_PROBLEM = `TRUSTED_PROXY_HOPS must be a whole number from 0 to ${MAX_HOPS} (how many of your own proxies are in front of this app)`;

/**
 * TRUSTED_PROXY_HOPS: how many X-Forwarded-For entries were added by the operator's own proxies (default 0).
 * @param {string | undefined} value
 * @returns {number | null} the hop count, or null when the value is not a whole number from 0 to 10
 */
export function parseTrustedProxyHops(value) {
  const text = value?.trim() ?? "";
  if (text === "") return 0;
  if (!/^\d+$/.test(text)) return null;
  const hops = Number(text);
  return hops <= MAX_HOPS ? hops : null;
}

/**
 * The client's address given the connection's peer and the X-Forwarded-For header it sent. Each trusted proxy
 * appends the address it received the request from, so with N trusted hops the client is the Nth entry from the
 * right of (X-Forwarded-For entries, peer). With 0 the peer is the client and the header, which anyone can
 * send, is ignored. When the header is shorter than the hop count, the leftmost entry is the best there is.
 * @param {{ forwardedFor: string | string[] | undefined, peer: string | undefined, hops: number }} input
 * @returns {string | null}
 */
export function clientAddress({ forwardedFor, peer, hops }) {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const chain =
    hops > 0
      ? header
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean)
      : [];
  if (peer) chain.push(peer);
  if (chain.length === 0) return null;
  return normaliseAddress(chain[Math.max(0, chain.length - 1 - hops)]);
}

/**
 * One address in the form the throttle counts it: a port dropped ("203.0.113.7:51234", "[2001:db8::1]:443", as some
 * gateways write X-Forwarded-For), brackets and an IPv6 zone removed, an IPv4-mapped IPv6 address ("::ffff:192.0.2.1",
 * an IPv4 peer on a dual-stack socket) as the IPv4 address it is, IPv6 in its one compressed form. Anything else is
 * kept as it came; lengths are capped so a key stays small.
 * @param {string} text
 * @returns {string}
 */
export function normaliseAddress(text) {
  let address = text.trim();
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(address);
  if (bracketed) address = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  address = address.replace(/%[\w.-]*$/, "");
  const v4 = parseIPv4(address);
  if (v4) return v4.join(".");
  const v6 = parseIPv6(address);
  if (!v6) return text.trim().slice(0, 64);
  const mapped = v6.slice(0, 5).every((group) => group === 0) && v6[5] === 0xffff;
  return mapped ? [v6[6] >> 8, v6[6] & 255, v6[7] >> 8, v6[7] & 255].join(".") : formatIPv6(v6);
}

/**
 * The client as the sign-in throttle counts it: an IPv4 address, or the /64 network of an IPv6 address, since one
 * customer of any IPv6 provider holds a whole /64 (2^64 addresses to rotate through).
 * @param {string | null} address
 * @returns {string | null}
 */
export function addressBlock(address) {
  if (address === null) return null;
  const normal = normaliseAddress(address);
  const v6 = parseIPv6(normal);
  return v6 ? `${formatIPv6([...v6.slice(0, 4), 0, 0, 0, 0])}/64` : normal;
}

/** @param {string} text @returns {number[] | null} the four bytes */
function parseIPv4(text) {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!parts) return null;
  const bytes = parts.slice(1).map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : null;
}

/** @param {string} text @returns {number[] | null} the eight 16-bit groups */
function parseIPv6(text) {
  if (!/^[\da-f:.]+$/i.test(text) || !text.includes(":")) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  /** @param {string} part @param {boolean} last @returns {number[] | null} */
  const groups = (part, last) => {
    if (part === "") return [];
    const out = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (last && i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIPv4(piece);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[\da-f]{1,4}$/i.test(piece)) out.push(parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array(halves.length === 1 ? 0 : missing).fill(0), ...tail];
}

/**
 * RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as "::".
 * @param {number[]} groups
 * @returns {string}
 */
function formatIPv6(groups) {
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j > i ? j : i + 1;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`;
}

/**
 * The client address as server.mjs left it in X-Forwarded-For (one entry). Under `next dev` the header is
 * whatever arrived, and the rightmost entry (the nearest hop) is used.
 * @param {Headers} headers
 * @returns {string | null}
 */
export function clientAddressFrom(headers) {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.length > 0 ? normaliseAddress(entries[entries.length - 1]) : null;
}
