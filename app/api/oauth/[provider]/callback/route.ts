// Where Microsoft or Google send the admin back after signing in to the finance mailbox. A public endpoint: it
// checks the session and role itself, and lib/mailbox/link.ts checks the state against this browser's
// cookie and the request recorded when the same admin started the sign-in. Every redirect it answers with is under
// the app's base URL (APP_URL when set), and a failure reaches the page as a code the page words itself.
import { NextResponse, type NextRequest } from "next/server";
import { db } from "@/lib/db";
import { saveSettingsForLinkedMailbox } from "@/lib/mailbox/settings";
import { UserFacingError } from "@/lib/errors";
import { env } from "@/lib/env";
import { isOAuthProviderId } from "@/lib/smtp/sign-in-providers";
import {
  finishMailboxLink,
  OAUTH_STATE_COOKIE,
  OAuthFlowError,
  redirectUri,
  type ConnectErrorCode,
} from "@/lib/mailbox/link";
import { appBaseUrl } from "@/lib/request-origin";
import { checkMember } from "@/lib/session";
import { settingsKeyring } from "@/lib/secrets/keyring";

export async function GET(request: NextRequest, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  if (!isOAuthProviderId(provider)) return NextResponse.json({ error: "Unknown provider." }, { status: 404 });
  const base = await appBaseUrl();
  const check = await checkMember({ minimum: "ADMIN", path: "/settings/email" });
  if ("redirectTo" in check) return NextResponse.redirect(`${base}${check.redirectTo}`, 303);
  const ctx = check.ctx;

  const back = new URL(`${base}/settings/email`);
  let linked: { email: string } | undefined;
  try {
    linked = await finishMailboxLink(
      { db, keyring: settingsKeyring(), oauth: env().oauth },
      {
        provider,
        actor: ctx.actor,
        callbackUrl: request.nextUrl,
        cookieState: request.cookies.get(OAUTH_STATE_COOKIE)?.value,
        redirectUri: redirectUri(base, provider),
      },
    );
    // The settings now send as the linked mailbox (status Untested until a test).
    await saveSettingsForLinkedMailbox({ db, keyring: settingsKeyring() }, ctx.actor, { provider, ...linked });
    back.searchParams.set("connected", provider);
  } catch (err) {
    let code: ConnectErrorCode;
    if (err instanceof OAuthFlowError) code = err.code;
    // Linked, but the settings were not switched to it (someone saved them at the same moment).
    else if (linked && err instanceof UserFacingError) code = "not-saved";
    else {
      console.error(`[oauth] ${provider} callback failed: ${(err as Error).name}: ${(err as Error).message}`);
      code = "failed";
    }
    back.searchParams.set("connectError", code);
    back.searchParams.set("provider", provider);
  }
  const response = NextResponse.redirect(back, 303);
  response.cookies.delete({ name: OAUTH_STATE_COOKIE, path: "/api/oauth" });
  return response;
}
