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

/** "::ffff:192.0.2.1" (an IPv4 peer on a dual-stack socket) is 192.0.2.1; lengths are capped so a key stays small. */
function normaliseAddress(address) {
  const plain = address.startsWith("::ffff:") && address.includes(".") ? address.slice("::ffff:".length) : address;
  return plain.slice(0, 64);
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
  return entries.length > 0 ? entries[entries.length - 1].slice(0, 64) : null;
}
