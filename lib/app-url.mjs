// APP_URL: the address people open the app at. Links, redirect URIs and HSTS come from it rather than from request
// headers, which a client or an unconfigured proxy chooses. Plain JavaScript because `npm start` (server.mjs) reads it
// before the app loads; lib/env.ts validates it with the same parser.

export const APP_URL_PROBLEM = "APP_URL must be an http:// or https:// URL, like https://finance-email.example.com";

/**
 * APP_URL, falling back to AUTH_URL: its origin and path without a trailing slash.
 * @param {Record<string, string | undefined>} source the environment
 * @returns {string | undefined | null} undefined when unset, null when it is not an http:// or https:// URL
 */
export function parseAppUrl(source) {
  const text = source.APP_URL?.trim() || source.AUTH_URL?.trim() || undefined;
  if (!text) return undefined;
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  return url.origin + url.pathname.replace(/\/+$/, "");
}
