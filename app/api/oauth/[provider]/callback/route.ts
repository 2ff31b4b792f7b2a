// Where Microsoft or Google send the admin back after signing in to the finance mailbox. A public endpoint: it
// checks the session and role itself, and lib/mailbox/link.ts checks the state against this browser's
// cookie and the request recorded when the same admin started the sign-in.
import { NextResponse, type NextRequest } from "next/server";
import * as oidc from "openid-client";
import { db } from "@/lib/db";
import { saveSettingsForLinkedMailbox } from "@/lib/mailbox/settings";
import { UserFacingError } from "@/lib/errors";
import { env } from "@/lib/env";
import { isOAuthProviderId, OAUTH_PROVIDERS } from "@/lib/smtp/sign-in-providers";
import { finishMailboxLink, OAUTH_STATE_COOKIE, OAuthFlowError, redirectUri } from "@/lib/mailbox/link";
import { requestOrigin } from "@/lib/request-origin";
import { checkMember } from "@/lib/session";
import { settingsKeyring } from "@/lib/secrets/keyring";

export async function GET(request: NextRequest, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  if (!isOAuthProviderId(provider)) return NextResponse.json({ error: "Unknown provider." }, { status: 404 });
  const origin = await requestOrigin();
  const check = await checkMember({ minimum: "ADMIN", path: "/settings/email" });
  if ("redirectTo" in check) return NextResponse.redirect(new URL(check.redirectTo, origin), 303);
  const ctx = check.ctx;

  const config = env().oauth;
  const back = new URL("/settings/email", config.appUrl ?? origin);
  try {
    const { email } = await finishMailboxLink(
      { db, keyring: settingsKeyring(), oauth: config },
      {
        provider,
        actor: ctx.actor,
        callbackUrl: request.nextUrl,
        cookieState: request.cookies.get(OAUTH_STATE_COOKIE)?.value,
        redirectUri: redirectUri(config, provider, origin),
      },
    );
    // The settings now send as the linked mailbox (status Untested until a test).
    await saveSettingsForLinkedMailbox({ db, keyring: settingsKeyring() }, ctx.actor, { provider, email });
    back.searchParams.set("connected", provider);
  } catch (err) {
    const label = OAUTH_PROVIDERS[provider].label;
    let message: string;
    if (err instanceof OAuthFlowError || err instanceof UserFacingError) message = err.message;
    else if (err instanceof oidc.ResponseBodyError)
      message = `${label} did not link the mailbox: ${err.error}${err.error_description ? ` (${err.error_description})` : ""}`;
    else {
      console.error(`[oauth] ${provider} callback failed: ${(err as Error).name}: ${(err as Error).message}`);
      message = `${label} sign-in could not be completed. Try Connect again.`;
    }
    back.searchParams.set("connectError", message.slice(0, 400));
  }
  const response = NextResponse.redirect(back, 303);
  response.cookies.delete({ name: OAUTH_STATE_COOKIE, path: "/api/oauth" });
  return response;
}
