// The first run's one-time setup token, so the first stranger to find a fresh deployment cannot make themselves its
// owner. Required with NODE_ENV=production and real configuration. The embedded default keeps an open first run for
// the person at the machine itself (a loopback client); anyone reaching it over the network, as through a container's
// published port, needs the token too. The token is SETUP_TOKEN when the operator sets it, otherwise derived from
// AUTH_SECRET, so every instance of one deployment prints and accepts the same one.
import "server-only";
import crypto from "node:crypto";
import type { Env } from "./env";
import { isLoopbackAddress } from "./net/address-guard";

export const SETUP_TOKEN_REFUSED =
  "The setup token does not match. It is printed in the server's log at start-up (or it is the SETUP_TOKEN you set).";

/** Whether /setup asks this client for the token (clientAddress as lib/client-address.mjs derives it). */
export function setupTokenRequired(
  config: Pick<Env, "isProduction" | "embedded">,
  clientAddress: string | null,
): boolean {
  if (config.isProduction && !config.embedded) return true;
  return !isLoopbackAddress(clientAddress);
}

export function expectedSetupToken(config: Pick<Env, "AUTH_SECRET" | "setupToken">): string {
  if (config.setupToken) return config.setupToken;
  const mac = crypto.createHmac("sha256", config.AUTH_SECRET).update("finance-email-setup:first-run").digest("hex");
  return `${mac.slice(0, 4)}-${mac.slice(4, 8)}-${mac.slice(8, 12)}-${mac.slice(12, 16)}`;
}

/** Compared in constant time; spaces and letter case as typed do not matter. */
export function setupTokenMatches(given: string | undefined, expected: string): boolean {
  const normalise = (v: string) => v.trim().toLowerCase().replace(/\s+/g, "");
  const a = crypto
    .createHash("sha256")
    .update(normalise(given ?? ""))
    .digest();
  const b = crypto.createHash("sha256").update(normalise(expected)).digest();
  return crypto.timingSafeEqual(a, b) && (given ?? "").trim() !== "";
}
