// The origin the browser used for this request, from the forwarded headers Next.js (and server.mjs) pass on. The
// sign-in redirect URI is built from it when APP_URL is not set, at the start and at the callback alike, since the
// provider requires the two to match exactly.
import "server-only";
import { headers } from "next/headers";

export async function requestOrigin(): Promise<string> {
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host")}`;
}
