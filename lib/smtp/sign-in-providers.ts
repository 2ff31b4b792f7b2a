// The mail providers a finance mailbox can be linked with by signing in (OAuth 2.0 + OpenID Connect), and the
// operator's configuration for each. Facts about a provider (scopes, which presets offer it) live here only.
// Pure: lib/env.ts validates the variables with parseOAuthConfig at start-up, and the settings form reads the facts.
import type { NameSources } from "../net/address-guard";
import { APP_URL_PROBLEM, parseAppUrl } from "../app-url.mjs";
import { getPreset } from "./presets";

export type OAuthProviderId = "microsoft" | "google";

export type OAuthProviderFacts = {
  readonly id: OAuthProviderId;
  /** "Connect with <label>" */
  readonly label: string;
  readonly envPrefix: "MICROSOFT" | "GOOGLE";
  /** OpenID issuer used when <PREFIX>_AUTHORITY is not set. */
  readonly defaultAuthority: string;
  readonly scope: string;
  /** The ID token claims, in order, that name the signed-in mailbox (an `email` claim only when email_verified). */
  readonly mailboxClaims: readonly ("preferred_username" | "upn" | "email")[];
  /** Extra authorization parameters the provider needs to return a refresh token. */
  readonly authorizationParams: Readonly<Record<string, string>>;
  /**
   * Whether the provider publishes a way for an app to give back its own permission (a revocation endpoint); where
   * not, Disconnect only deletes the app's tokens and the permission stays until removed at permissionsPage.
   */
  readonly revocable: boolean;
  /** Where the mailbox's owner sees and removes the apps allowed to use the account. */
  readonly permissionsPage: { readonly url: string; readonly name: string };
  /** The SMTP presets whose page offers "Connect with <label>". */
  readonly presets: readonly string[];
};

export const OAUTH_PROVIDERS: Readonly<Record<OAuthProviderId, OAuthProviderFacts>> = {
  microsoft: {
    id: "microsoft",
    label: "Microsoft",
    envPrefix: "MICROSOFT",
    defaultAuthority: "https://login.microsoftonline.com/common/v2.0",
    scope: "https://outlook.office.com/SMTP.Send offline_access openid email profile",
    // The sign-in name (UPN; for Outlook.com the address). Entra ID's `email` claim is not verified.
    mailboxClaims: ["preferred_username", "upn"],
    authorizationParams: { prompt: "select_account" },
    revocable: false,
    permissionsPage: { url: "https://myapps.microsoft.com", name: "myapps.microsoft.com" },
    presets: ["microsoft-365", "outlook-com"],
  },
  google: {
    id: "google",
    label: "Google",
    envPrefix: "GOOGLE",
    defaultAuthority: "https://accounts.google.com",
    scope: "https://mail.google.com/ openid email",
    mailboxClaims: ["email"],
    // Google returns a refresh token only for offline access, and again only when consent is asked for.
    authorizationParams: { access_type: "offline", prompt: "consent" },
    revocable: true,
    permissionsPage: { url: "https://myaccount.google.com/connections", name: "myaccount.google.com" },
    presets: ["google-mail", "google-workspace"],
  },
};

export function isOAuthProviderId(value: string): value is OAuthProviderId {
  return Object.hasOwn(OAUTH_PROVIDERS, value);
}

export type OAuthClientConfig = { clientId: string; clientSecret: string; authority: string };
export type OAuthConfig = {
  /** Where the provider sends the admin back: <appUrl>/api/oauth/<provider>/callback. */
  appUrl: string | undefined;
  clients: Partial<Record<OAuthProviderId, OAuthClientConfig>>;
  /**
   * Whether the provider's endpoints on hosts other than the configured authority may be private addresses
   * (SMTP_ALLOW_PRIVATE_NETWORKS, as for SMTP servers). The authority itself was set by the operator.
   */
  allowPrivateNetworks?: boolean;
  /** Where those hosts' names are looked up (HOSTS_FILE, DNS_SERVERS). */
  nameSources?: NameSources;
};

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * MICROSOFT_CLIENT_ID / _SECRET / _AUTHORITY, GOOGLE_CLIENT_ID / _SECRET / _AUTHORITY, and APP_URL (falling back to
 * AUTH_URL). A provider is configured when its client id is set; then its secret is required, and in production so
 * is APP_URL (the redirect URI must be the address people use, not a guess from the request).
 */
export function parseOAuthConfig(
  source: Record<string, string | undefined>,
  isProduction: boolean,
  problems: string[],
): OAuthConfig {
  const clients: OAuthConfig["clients"] = {};
  for (const facts of Object.values(OAUTH_PROVIDERS)) {
    const clientId = source[`${facts.envPrefix}_CLIENT_ID`]?.trim();
    if (!clientId) continue;
    const clientSecret = source[`${facts.envPrefix}_CLIENT_SECRET`]?.trim();
    const authority = source[`${facts.envPrefix}_AUTHORITY`]?.trim() || facts.defaultAuthority;
    if (!clientSecret)
      problems.push(`${facts.envPrefix}_CLIENT_SECRET is required when ${facts.envPrefix}_CLIENT_ID is set`);
    if (!isHttpsUrl(authority))
      problems.push(`${facts.envPrefix}_AUTHORITY must be an https:// URL (an OpenID issuer)`);
    clients[facts.id] = { clientId, clientSecret: clientSecret ?? "", authority: authority.replace(/\/+$/, "") };
  }
  const appUrl = parseAppUrl(source);
  if (appUrl === null) problems.push(APP_URL_PROBLEM);
  if (appUrl === undefined && isProduction && Object.keys(clients).length > 0) {
    problems.push(
      "APP_URL is required in production when a mail provider sign-in is configured (the address people open the app at)",
    );
  }
  return { appUrl: appUrl ?? undefined, clients };
}

/** The provider whose sign-in a preset offers ("Connect with Microsoft" on Microsoft 365 and Outlook.com). */
export function oauthProviderForPreset(presetId: string): OAuthProviderId | null {
  return Object.values(OAUTH_PROVIDERS).find((p) => p.presets.includes(presetId))?.id ?? null;
}

/**
 * Whether settings send with the linked mailbox's sign-in rather than a password: the link's provider offers the
 * chosen preset, Server is that preset's own server (the token never goes to another host), and User is the linked
 * mailbox. Anything else needs a password.
 */
export function sendsWithMailboxLink(
  link: { provider: string; email: string } | null | undefined,
  settings: { provider: string; host: string; user: string },
): boolean {
  if (!link || oauthProviderForPreset(settings.provider) !== link.provider) return false;
  const preset = getPreset(settings.provider);
  const hosts = [preset?.host, ...(preset?.alternatives.map((a) => a.host) ?? [])].map((h) => h?.toLowerCase());
  return (
    hosts.includes(settings.host.trim().toLowerCase()) &&
    settings.user.trim().toLowerCase() === link.email.toLowerCase()
  );
}

/** The preset a newly linked mailbox is saved with: the one whose mailbox domains hold it (Outlook.com, Gmail), else the business one. */
export function presetForLinkedMailbox(provider: OAuthProviderId, email: string): string {
  const domain = email.split("@")[1]?.toLowerCase() ?? "";
  const presets = OAUTH_PROVIDERS[provider].presets.map((id) => getPreset(id)).filter((p) => p !== undefined);
  return (
    presets.find((p) => p.mailboxDomains.includes(domain)) ??
    presets.find((p) => p.mailboxDomains.length === 0) ??
    presets[0]
  ).id;
}
