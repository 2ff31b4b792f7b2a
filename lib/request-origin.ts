// The base of every absolute URL the app gives out for a request (sign-in redirects, the sign-in redirect URI): APP_URL
// when it is set; otherwise the origin the browser used, from the Host header, or from X-Forwarded-Host and
// X-Forwarded-Proto, which server.mjs passes on only from a trusted proxy (TRUSTED_PROXY_HOPS).
import "server-only";
import { headers } from "next/headers";
import { env } from "./env";

export async function appBaseUrl(): Promise<string> {
  const configured = env().oauth.appUrl;
  if (configured) return configured;
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host")}`;
}
