// Turns a failed SMTP test into plain words: what happened, what to do next, a link to the matching
// troubleshooting section and, where one setting is clearly wrong, a one-click fix for the form.
import { getPreset, PRESETS, type Security } from "./presets";

/** Every diagnosis, in the order the troubleshooting page lists them; each id is also its section's anchor there. */
export const DIAGNOSIS_IDS = [
  "google-app-password-required",
  "bad-credentials",
  "microsoft-smtp-auth-disabled",
  "ssl-on-starttls-port",
  "starttls-on-ssl-port",
  "connection-refused",
  "host-not-found",
  "provider-unreachable",
  "blocked-address",
  "timeout",
  "certificate-untrusted",
  "certificate-wrong-host",
  "auth-required",
  "sending-limit",
  "recipient-refused",
  "send-as-denied",
  "gmail-unauthenticated",
  "outlook-unauthenticated",
  "message-too-large",
  "saved-password-unreadable",
  "mailbox-sign-in-expired",
  "mailbox-consent-needed",
  "mailbox-app-unknown",
  "mailbox-token-rejected",
  "other-reply",
] as const;

export type DiagnosisId = (typeof DIAGNOSIS_IDS)[number];

export type FormFix = { field: "security" | "host" | "port"; value: string; label: string };

export type Diagnosis = {
  id: DiagnosisId;
  title: string;
  explanation: string;
  advice: string[];
  helpHref: string;
  fix?: FormFix;
  /** A place on the Finance email page that fixes it (the Deliverability card's records). */
  pageLink?: { href: string; label: string };
};

export type SmtpErrorLike = {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  reason?: string;
  originalCode?: string;
  timeoutType?: string;
  cause?: unknown;
};

export type DiagnoseContext = {
  host: string;
  port: number;
  security: Security;
  provider?: string;
  user?: string;
  /** The test signed in with a linked mailbox's access token (XOAUTH2), not a password. */
  signedIn?: boolean;
};

const RECONNECT = 'Press Reconnect beside "Connected as" and sign in to the mailbox again: that is the one-click fix.';

const help = (id: DiagnosisId) => `/help/troubleshooting#${id}`;

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

const KNOWN_HOSTS = [
  ...new Set(PRESETS.flatMap((p) => [p.host, ...p.alternatives.map((a) => a.host)]).filter(Boolean)),
];

/** A known provider server that the given name is probably a misspelling of. */
export function spellingSuggestion(host: string): string | null {
  const name = host.toLowerCase();
  if (KNOWN_HOSTS.includes(name)) return null;
  let best: { host: string; distance: number } | null = null;
  for (const known of KNOWN_HOSTS) {
    const distance = levenshtein(name, known);
    if (distance <= 3 && (!best || distance < best.distance)) best = { host: known, distance };
  }
  return best?.host ?? null;
}

function codeOf(err: SmtpErrorLike): string {
  const cause = err.cause as { code?: string } | undefined;
  return [err.code, err.originalCode, err.reason, cause?.code, err.message].filter(Boolean).join(" ");
}

function isGoogle(ctx: DiagnoseContext) {
  return ctx.provider === "google-mail" || ctx.provider === "google-workspace" || /(^|\.)gmail\.com$/.test(ctx.host);
}

/** What a failure shows, as the rules read it. */
function evidenceOf(err: SmtpErrorLike) {
  const errorCodes = codeOf(err);
  return {
    /** nodemailer's error code: EAUTH, EENVELOPE… */
    code: err.code,
    /** The reply code: 535, 530… */
    responseCode: err.responseCode,
    /** The server's reply, then the error message: enhanced status codes (5.7.8) and a provider's wording. */
    reply: `${err.response ?? ""} ${err.message ?? ""}`,
    /** nodemailer's, the system's and the TLS layer's error codes, then the error message. */
    errorCodes,
    /** The error codes followed by the kind of timeout (GREETING_TIMEOUT…). */
    timeout: errorCodes + (err.timeoutType ?? ""),
    /** The SMTP command that failed: CONN while connecting. */
    command: err.command ?? "",
  };
}
type Evidence = ReturnType<typeof evidenceOf>;

/** Signs of one failure, each an exact value or a regular expression: the pattern matches when any one shows. */
type Pattern = { [Sign in keyof Evidence]?: Evidence[Sign] | RegExp };

function shows(pattern: Pattern, evidence: Evidence): boolean {
  return (Object.keys(pattern) as (keyof Evidence)[]).some((sign) => {
    const want = pattern[sign];
    const seen = evidence[sign];
    if (want instanceof RegExp) return typeof seen === "string" && want.test(seen);
    return want !== undefined && seen === want;
  });
}

/** A wording that names the server or port being tested. */
type Text = string | ((ctx: DiagnoseContext) => string);

type Rule = {
  id: DiagnosisId;
  /** Every pattern must match. */
  match: Pattern[];
  /** Only for these settings: signed in with a linked mailbox, a Google server, a security and port. */
  only?: { signedIn?: true; google?: true; security?: Security; port?: number };
} & (
  | { title: Text; explanation: Text; advice: string[]; fix?: FormFix; pageLink?: Diagnosis["pageLink"] }
  /** A diagnosis also given outside diagnose(), made by its own function. */
  | { diagnosis: (ctx: DiagnoseContext) => Diagnosis }
);

function applies(rule: Rule, evidence: Evidence, ctx: DiagnoseContext): boolean {
  const only = rule.only ?? {};
  if (only.signedIn && !ctx.signedIn) return false;
  if (only.google && !isGoogle(ctx)) return false;
  if (only.security !== undefined && ctx.security !== only.security) return false;
  if (only.port !== undefined && ctx.port !== only.port) return false;
  return rule.match.every((pattern) => shows(pattern, evidence));
}

const DELIVERABILITY_CARD = { href: "/settings/email/deliverability", label: "See the records to add" };
const PUBLISH_RECORDS = [
  "Publish the DNS records the Deliverability card on this page lists for your domain (SPF for your provider, its DKIM key, a DMARC record).",
  "DNS changes can take a few hours to spread: press Check again on the card, then send another test.",
];
const PASSWORD_REFUSED: Pattern = { code: "EAUTH", responseCode: 535, reply: /5\.7\.8\b/ };
const TIMED_OUT: Pattern = { errorCodes: /ETIMEDOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|SOCKET_TIMEOUT|timed? ?out/i };

/** Tried in order; the first that applies gives the diagnosis. */
const RULES: readonly Rule[] = [
  {
    id: "google-app-password-required",
    match: [{ reply: /5\.7\.9\b|Application-specific password required/i }],
    title: "Google wants an app password, not your Google password",
    explanation:
      "The password entered is the regular Google account password. Google only accepts an app password here.",
    advice: [
      "Turn on 2-Step Verification for the Google account.",
      "Create an app password (Google Account → Security → App passwords) and enter its 16 letters as the Password.",
    ],
  },
  {
    id: "gmail-unauthenticated",
    match: [{ reply: /5\.7\.26\b/ }],
    title: "Gmail refused the message as unauthenticated (5.7.26)",
    explanation:
      "Gmail checked the From domain's SPF, DKIM and DMARC and the message passed none of them in a way that matches the From address, so it was refused.",
    advice: PUBLISH_RECORDS,
    pageLink: DELIVERABILITY_CARD,
  },
  {
    id: "outlook-unauthenticated",
    match: [{ reply: /5\.7\.515\b/ }],
    title: "Outlook.com refused the message: the domain is not authenticated (5.7.515)",
    explanation:
      "Outlook.com, Hotmail and Live require senders to pass SPF, DKIM and DMARC for the From domain. This message did not, so it was refused.",
    advice: PUBLISH_RECORDS,
    pageLink: DELIVERABILITY_CARD,
  },
  {
    id: "microsoft-smtp-auth-disabled",
    match: [{ reply: /5\.7\.139\b|5\.7\.57\b|SmtpClientAuthentication is disabled/i }],
    title: "Microsoft 365 has SMTP sign-in turned off",
    explanation:
      "Microsoft refused the sign-in because SMTP AUTH is disabled for this mailbox or for the whole organisation.",
    advice: [
      "Ask your Microsoft 365 administrator to turn on Authenticated SMTP for this mailbox (Microsoft 365 admin center → Users → Active users → the mailbox → Mail → Manage email apps), or in Exchange Online PowerShell: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false",
      "If it is off for the whole tenant, they must allow SMTP AUTH in Exchange Online settings first.",
    ],
  },
  {
    id: "send-as-denied",
    match: [{ reply: /5\.7\.60\b|SendAsDenied|not have permissions to send as this sender/i }],
    title: "The mailbox may not send as this From address",
    explanation:
      "Microsoft refused the message because the From address is neither the mailbox itself nor an address it has Send As permission for (5.7.60 SendAsDenied).",
    advice: [
      "Set From address to the mailbox itself (leave it blank to send as User), or",
      "ask your Microsoft 365 administrator to give the mailbox Send As permission for that address (Exchange admin center → Recipients → Mailboxes → the address → Delegation → Send As).",
    ],
  },
  {
    id: "mailbox-token-rejected",
    only: { signedIn: true },
    match: [{ ...PASSWORD_REFUSED, reply: /5\.7\.3\b|5\.7\.8\b/ }],
    title: "The mail server did not accept the mailbox's sign-in",
    explanation:
      "The server refused the access token from the mailbox's sign-in (Microsoft answers 535 5.7.3, Google 535 5.7.8): the sign-in was revoked, or the mailbox is not the one that signed in.",
    advice: [RECONNECT, "Check that User is the mailbox you sign in to."],
  },
  {
    id: "bad-credentials",
    only: { google: true },
    match: [PASSWORD_REFUSED],
    title: "The user name or password was not accepted",
    explanation:
      "Google rejected the User and Password. Either the address is wrong or the app password is wrong or no longer valid.",
    advice: [
      "Check that User is the full Gmail or Workspace address.",
      "App passwords are revoked when the Google account password changes: create a new app password and enter it here.",
    ],
  },
  {
    id: "bad-credentials",
    match: [PASSWORD_REFUSED],
    title: "The user name or password was not accepted",
    explanation: "The server rejected the User and Password.",
    advice: [
      "Check the User (usually the full email address) and enter the password again.",
      "If your provider uses app passwords, create a new one.",
    ],
  },
  {
    id: "ssl-on-starttls-port",
    match: [{ errorCodes: /wrong version number|WRONG_VERSION_NUMBER|packet length too long|unknown protocol/i }],
    title: ({ port }) => `Port ${port} needs STARTTLS, not SSL/TLS`,
    explanation: ({ port }) =>
      `Security is set to SSL/TLS, but the server on port ${port} starts in plain text and upgrades with STARTTLS.`,
    advice: ["Set Security to STARTTLS and test again."],
    fix: { field: "security", value: "starttls", label: "Use STARTTLS" },
  },
  {
    // Nothing heard at all on 465 with STARTTLS: the server is waiting for a TLS handshake that never comes.
    id: "starttls-on-ssl-port",
    only: { security: "starttls", port: 465 },
    match: [TIMED_OUT, { command: /^CONN$/, timeout: /GREETING/i }],
    title: "Port 465 needs SSL/TLS, not STARTTLS",
    explanation: "Port 465 expects encryption from the first byte, so the server waited for it and never said hello.",
    advice: ["Set Security to SSL/TLS and test again (or use port 587 with STARTTLS)."],
    fix: { field: "security", value: "ssl", label: "Use SSL/TLS" },
  },
  {
    id: "timeout",
    match: [TIMED_OUT],
    title: ({ host, port }) => `No answer from ${host} on port ${port}`,
    explanation:
      "The server did not answer in time. Outgoing mail ports (25, 465, 587) are often blocked by firewalls.",
    advice: [
      "Check the Server and TLS Port against your provider's settings.",
      "Try the provider's other port (587 with STARTTLS, or 465 with SSL/TLS).",
      "Ask whoever runs your network whether outgoing connections to that port are allowed.",
    ],
  },
  {
    id: "connection-refused",
    match: [{ errorCodes: /ECONNREFUSED/ }],
    title: ({ host, port }) => `${host} refused the connection on port ${port}`,
    explanation: "The server is reachable but nothing accepts mail on that port.",
    advice: [
      "Check the TLS Port: most providers use 587 (STARTTLS) or 465 (SSL/TLS).",
      "Check the Server name for typos.",
    ],
  },
  {
    id: "host-not-found",
    match: [{ errorCodes: /EDNS|ENOTFOUND|EAI_AGAIN|ENODATA/ }],
    diagnosis: ({ host }) => hostNotFound(host),
  },
  {
    id: "certificate-wrong-host",
    match: [{ errorCodes: /ERR_TLS_CERT_ALTNAME_INVALID|altnames|Hostname\/IP does not match/i }],
    title: ({ host }) => `The server's certificate is for another name, not ${host}`,
    explanation: "The connection was stopped because the server could not prove it is the one you named.",
    advice: [
      "Use the exact server name your provider documents (not an IP address or an alias).",
      "If you run your own server, its certificate must include this name.",
    ],
  },
  {
    id: "certificate-untrusted",
    match: [{ errorCodes: /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|certificate/i }],
    title: "The server's certificate is not trusted",
    explanation:
      "The server presented a certificate that is self-signed, expired or from an unknown authority, so the connection was stopped to protect your password.",
    advice: [
      "Check the Server name: a provider's real server has a trusted certificate.",
      "For your own server with a private certificate authority, ask the administrator of this app to trust it (NODE_EXTRA_CA_CERTS).",
    ],
  },
  {
    id: "auth-required",
    match: [{ responseCode: 530, reply: /5\.7\.0\b.*auth|Authentication required/i }],
    title: "The server requires you to sign in",
    explanation: "The server refused to send because the connection was not authenticated.",
    advice: [
      "Enter the User and Password for the account.",
      "Make sure Security is STARTTLS or SSL/TLS: many servers only offer sign-in over an encrypted connection.",
    ],
  },
  {
    id: "sending-limit",
    match: [{ reply: /5\.4\.5\b|sending limit|quota/i }],
    title: "The account has reached its sending limit",
    explanation: "The provider accepted the sign-in but refuses to send more mail for now.",
    advice: [
      "Wait until the limit resets (Google: a rolling 24 hours) and try again.",
      "For high volumes, use a business account or a sending service such as Amazon SES, SendGrid or Postmark.",
    ],
  },
  {
    id: "message-too-large",
    match: [{ responseCode: 552, reply: /5\.3\.4\b|too (large|big)|size limit/i }],
    title: "The message is larger than the server accepts",
    explanation: "The server refused the message because of its size.",
    advice: ["Keep attachments small, or link to large documents instead of attaching them."],
  },
  {
    id: "recipient-refused",
    match: [{ command: /RCPT/i, code: "EENVELOPE" }],
    title: "The recipient address was refused",
    explanation: "The server accepted the account but not the address in Send to.",
    advice: ["Check the Send to address for typos.", "Try sending to another address you control."],
  },
];

const say = (text: Text, ctx: DiagnoseContext) => (typeof text === "string" ? text : text(ctx));

export function diagnose(err: SmtpErrorLike, ctx: DiagnoseContext): Diagnosis {
  const evidence = evidenceOf(err);
  const rule = RULES.find((r) => applies(r, evidence, ctx));
  if (!rule) {
    return {
      id: "other-reply",
      title: "The server refused the request",
      explanation: err.response
        ? "The server answered with an error; its exact reply is shown below."
        : "The connection failed; the technical detail is shown below.",
      advice: [
        "Check each setting against your provider's documentation.",
        "If the reply mentions a policy or block, contact your email provider with the reply text.",
      ],
      helpHref: help("other-reply"),
    };
  }
  if ("diagnosis" in rule) return rule.diagnosis(ctx);
  return {
    id: rule.id,
    title: say(rule.title, ctx),
    explanation: say(rule.explanation, ctx),
    advice: [...rule.advice],
    helpHref: help(rule.id),
    ...(rule.fix && { fix: { ...rule.fix } }),
    ...(rule.pageLink && { pageLink: { ...rule.pageLink } }),
  };
}

/** A provider's own server name (a preset's, or an alternative it lists): not a typing mistake when it fails. */
function isKnownProviderHost(host: string): boolean {
  return KNOWN_HOSTS.includes(host.toLowerCase());
}

/**
 * A provider's own server name that the app's server could not look up: the fault is the host's DNS or network (or
 * a passing outage), not the person's settings. Nothing to change, no field to fix, no name to suggest.
 */
function providerUnreachable(name: string): Diagnosis {
  const host = name.toLowerCase();
  const provider =
    PRESETS.find((p) => p.host === host || p.alternatives.some((a) => a.host === host))?.company ?? "the provider";
  return {
    id: "provider-unreachable",
    title: `This app could not reach ${provider} from its server`,
    explanation: `${host} is ${provider}'s server and these settings match ${provider}'s. The app's server could not look the name up: this is on the app's side, or a passing outage, not a mistake in your settings.`,
    advice: [
      "Nothing in your settings needs to change: the app checks again by itself.",
      "If it still fails in an hour, tell the people who run this app.",
    ],
    helpHref: help("provider-unreachable"),
  };
}

/** A Server name that could not be looked up: a typing mistake, unless it is a provider's own name. */
export function hostNotFound(host: string): Diagnosis {
  if (isKnownProviderHost(host)) return providerUnreachable(host);
  const suggestion = spellingSuggestion(host);
  return {
    id: "host-not-found",
    title: `The server name ${host} was not found`,
    explanation: suggestion ? `No server has that name. Did you mean ${suggestion}?` : "No server has that name.",
    advice: suggestion
      ? [`Change Server to ${suggestion}.`]
      : ["Check the Server for typos; copy it from your provider's settings page."],
    helpHref: help("host-not-found"),
    fix: suggestion ? { field: "host", value: suggestion, label: `Use ${suggestion}` } : undefined,
  };
}

export function blockedAddress(message: string): Diagnosis {
  return {
    id: "blocked-address",
    title: "That server is on a private network",
    explanation: message,
    advice: [
      "Use your provider's public SMTP server name.",
      "For an on-premises relay, the administrator of this app can allow private networks (SMTP_ALLOW_PRIVATE_NETWORKS=true).",
    ],
    helpHref: help("blocked-address"),
  };
}

export function savedPasswordUnreadable(message: string): Diagnosis {
  return {
    id: "saved-password-unreadable",
    title: "The saved password cannot be read",
    explanation: message,
    advice: ["Enter the password again and save, then test."],
    helpHref: help("saved-password-unreadable"),
  };
}

/**
 * A linked mailbox whose provider refused to renew the sign-in, by the provider's error: expired or revoked
 * (invalid_grant, AADSTS50173, AADSTS700082), consent needed (AADSTS65001, AADSTS90094), or an app unknown in the
 * mailbox's tenant (AADSTS700016). The provider's own words are kept.
 */
export function mailboxSignInFailed(refusal: { providerLabel: string; code: string; description: string }): Diagnosis {
  const reason = `${refusal.providerLabel} said: ${refusal.code}${refusal.description ? ` (${refusal.description})` : ""}`;
  const said = `${refusal.code} ${refusal.description}`;
  if (/AADSTS(65001|90094)\b|consent_required/i.test(said)) {
    return {
      id: "mailbox-consent-needed",
      title: `${refusal.providerLabel} needs an administrator to approve this app`,
      explanation: `The mailbox's organisation requires an administrator's consent before the app may send. ${reason}`,
      advice: [
        "Ask your Microsoft 365 administrator to grant admin consent for this app (Entra admin center → Enterprise applications → the app → Permissions → Grant admin consent), with the SMTP.Send permission.",
        RECONNECT,
      ],
      helpHref: help("mailbox-consent-needed"),
    };
  }
  if (/AADSTS700016\b|unauthorized_client/i.test(said)) {
    return {
      id: "mailbox-app-unknown",
      title: `${refusal.providerLabel} does not know this app in the mailbox's organisation`,
      explanation: `The app registration is not available to the mailbox's tenant. ${reason}`,
      advice: [
        "The operator of this service must register the app as multi-tenant (accounts in any organisational directory) or in your tenant: see the help for operators.",
        "Then an administrator of your tenant approves it, and you press Reconnect.",
      ],
      helpHref: help("mailbox-app-unknown"),
    };
  }
  return {
    id: "mailbox-sign-in-expired",
    title: `The ${refusal.providerLabel} sign-in for this mailbox has expired or was revoked`,
    explanation: `The app can no longer send as this mailbox: its sign-in ends when the mailbox's password changes, when consent is withdrawn, by an administrator's policy, or after 90 days without use. ${reason}`,
    advice: [RECONNECT],
    helpHref: help("mailbox-sign-in-expired"),
  };
}

/** Describes the provider's From rewriting, when it applies to this sender. */
export function fromRewriteNote(provider: string | undefined, user: string, fromAddress: string): string | null {
  const preset = provider ? getPreset(provider) : undefined;
  if (!preset?.rewritesFrom) return null;
  if (user.trim().toLowerCase() === fromAddress.trim().toLowerCase()) return null;
  return `${preset.name} will show ${user} as the sender instead of ${fromAddress}, unless ${fromAddress} is added to the account as a verified "Send mail as" alias.`;
}
