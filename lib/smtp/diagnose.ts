// Turns a failed SMTP test into plain words: what happened, what to do next, a link to the matching
// troubleshooting section and, where one setting is clearly wrong, a one-click fix for the form.
import { getPreset, PRESETS, type Security } from "./presets";

export type DiagnosisId =
  | "google-app-password-required"
  | "bad-credentials"
  | "microsoft-smtp-auth-disabled"
  | "ssl-on-starttls-port"
  | "starttls-on-ssl-port"
  | "connection-refused"
  | "host-not-found"
  | "blocked-address"
  | "timeout"
  | "certificate-untrusted"
  | "certificate-wrong-host"
  | "auth-required"
  | "sending-limit"
  | "recipient-refused"
  | "send-as-denied"
  | "gmail-unauthenticated"
  | "outlook-unauthenticated"
  | "message-too-large"
  | "saved-password-unreadable"
  | "mailbox-sign-in-expired"
  | "mailbox-consent-needed"
  | "mailbox-app-unknown"
  | "mailbox-token-rejected"
  | "other-reply";

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

/** Every diagnosis, for the troubleshooting page and the link check. */
export const DIAGNOSIS_IDS: readonly DiagnosisId[] = [
  "google-app-password-required",
  "bad-credentials",
  "microsoft-smtp-auth-disabled",
  "ssl-on-starttls-port",
  "starttls-on-ssl-port",
  "connection-refused",
  "host-not-found",
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
];

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

const RECONNECT = "Press Reconnect beside \"Connected as\" and sign in to the mailbox again: that is the one-click fix.";

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

const KNOWN_HOSTS = [...new Set(PRESETS.flatMap((p) => [p.host, ...p.alternatives.map((a) => a.host)]).filter(Boolean))];

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


const DELIVERABILITY_CARD = { href: "/settings/email#deliverability", label: "See the records to add" };

export function diagnose(err: SmtpErrorLike, ctx: DiagnoseContext): Diagnosis {
  const response = err.response ?? "";
  const text = `${response} ${err.message ?? ""}`;
  const codes = codeOf(err);
  const command = err.command ?? "";

  if (/5\.7\.9\b/.test(text) || /Application-specific password required/i.test(text)) {
    return {
      id: "google-app-password-required",
      title: "Google wants an app password, not your Google password",
      explanation: "The password entered is the regular Google account password. Google only accepts an app password here.",
      advice: [
        "Turn on 2-Step Verification for the Google account.",
        "Create an app password (Google Account → Security → App passwords) and enter its 16 letters as the Password.",
      ],
      helpHref: help("google-app-password-required"),
    };
  }
  if (/5\.7\.26\b/.test(text)) {
    return {
      id: "gmail-unauthenticated",
      title: "Gmail refused the message as unauthenticated (5.7.26)",
      explanation:
        "Gmail checked the From domain's SPF, DKIM and DMARC and the message passed none of them in a way that matches the From address, so it was refused.",
      advice: [
        "Publish the DNS records the Deliverability card on this page lists for your domain (SPF for your provider, its DKIM key, a DMARC record).",
        "DNS changes can take a few hours to spread: press Check again on the card, then send another test.",
      ],
      helpHref: help("gmail-unauthenticated"),
      pageLink: DELIVERABILITY_CARD,
    };
  }
  if (/5\.7\.515\b/.test(text)) {
    return {
      id: "outlook-unauthenticated",
      title: "Outlook.com refused the message: the domain is not authenticated (5.7.515)",
      explanation:
        "Outlook.com, Hotmail and Live require senders to pass SPF, DKIM and DMARC for the From domain. This message did not, so it was refused.",
      advice: [
        "Publish the DNS records the Deliverability card on this page lists for your domain (SPF for your provider, its DKIM key, a DMARC record).",
        "DNS changes can take a few hours to spread: press Check again on the card, then send another test.",
      ],
      helpHref: help("outlook-unauthenticated"),
      pageLink: DELIVERABILITY_CARD,
    };
  }
  if (/5\.7\.139\b|5\.7\.57\b|SmtpClientAuthentication is disabled/i.test(text)) {
    return {
      id: "microsoft-smtp-auth-disabled",
      title: "Microsoft 365 has SMTP sign-in turned off",
      explanation: "Microsoft refused the sign-in because SMTP AUTH is disabled for this mailbox or for the whole organisation.",
      advice: [
        "Ask your Microsoft 365 administrator to turn on Authenticated SMTP for this mailbox (Microsoft 365 admin center → Users → Active users → the mailbox → Mail → Manage email apps), or in Exchange Online PowerShell: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false",
        "If it is off for the whole tenant, they must allow SMTP AUTH in Exchange Online settings first.",
      ],
      helpHref: help("microsoft-smtp-auth-disabled"),
    };
  }
  if (/5\.7\.60\b|SendAsDenied|not have permissions to send as this sender/i.test(text)) {
    return {
      id: "send-as-denied",
      title: "The mailbox may not send as this From address",
      explanation: "Microsoft refused the message because the From address is neither the mailbox itself nor an address it has Send As permission for (5.7.60 SendAsDenied).",
      advice: [
        "Set From address to the mailbox itself (leave it blank to send as User), or",
        "ask your Microsoft 365 administrator to give the mailbox Send As permission for that address (Exchange admin center → Recipients → Mailboxes → the address → Delegation → Send As).",
      ],
      helpHref: help("send-as-denied"),
    };
  }
  if (ctx.signedIn && (err.code === "EAUTH" || err.responseCode === 535 || /5\.7\.3\b|5\.7\.8\b/.test(text))) {
    return {
      id: "mailbox-token-rejected",
      title: "The mail server did not accept the mailbox's sign-in",
      explanation: "The server refused the access token from the mailbox's sign-in (Microsoft answers 535 5.7.3, Google 535 5.7.8): the sign-in was revoked, or the mailbox is not the one that signed in.",
      advice: [RECONNECT, "Check that User is the mailbox you sign in to."],
      helpHref: help("mailbox-token-rejected"),
    };
  }
  if (err.code === "EAUTH" || err.responseCode === 535 || /5\.7\.8\b/.test(text)) {
    const google = isGoogle(ctx);
    return {
      id: "bad-credentials",
      title: "The user name or password was not accepted",
      explanation: google
        ? "Google rejected the User and Password. Either the address is wrong or the app password is wrong or no longer valid."
        : "The server rejected the User and Password.",
      advice: google
        ? [
            "Check that User is the full Gmail or Workspace address.",
            "App passwords are revoked when the Google account password changes: create a new app password and enter it here.",
          ]
        : ["Check the User (usually the full email address) and enter the password again.", "If your provider uses app passwords, create a new one."],
      helpHref: help("bad-credentials"),
    };
  }
  if (/wrong version number|WRONG_VERSION_NUMBER|packet length too long|unknown protocol/i.test(codes)) {
    const port = ctx.port;
    return {
      id: "ssl-on-starttls-port",
      title: `Port ${port} needs STARTTLS, not SSL/TLS`,
      explanation: `Security is set to SSL/TLS, but the server on port ${port} starts in plain text and upgrades with STARTTLS.`,
      advice: ["Set Security to STARTTLS and test again."],
      helpHref: help("ssl-on-starttls-port"),
      fix: { field: "security", value: "starttls", label: "Use STARTTLS" },
    };
  }
  if (/ETIMEDOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|SOCKET_TIMEOUT|timed? ?out/i.test(codes)) {
    // Nothing heard at all on 465 with STARTTLS: the server is waiting for a TLS handshake that never comes.
    if (ctx.security === "starttls" && ctx.port === 465 && (command === "CONN" || /GREETING/i.test(codes + (err.timeoutType ?? "")))) {
      return {
        id: "starttls-on-ssl-port",
        title: "Port 465 needs SSL/TLS, not STARTTLS",
        explanation: "Port 465 expects encryption from the first byte, so the server waited for it and never said hello.",
        advice: ["Set Security to SSL/TLS and test again (or use port 587 with STARTTLS)."],
        helpHref: help("starttls-on-ssl-port"),
        fix: { field: "security", value: "ssl", label: "Use SSL/TLS" },
      };
    }
    return {
      id: "timeout",
      title: `No answer from ${ctx.host} on port ${ctx.port}`,
      explanation: "The server did not answer in time. Outgoing mail ports (25, 465, 587) are often blocked by firewalls.",
      advice: [
        "Check the Server and TLS Port against your provider's settings.",
        "Try the provider's other port (587 with STARTTLS, or 465 with SSL/TLS).",
        "Ask whoever runs your network whether outgoing connections to that port are allowed.",
      ],
      helpHref: help("timeout"),
    };
  }
  if (/ECONNREFUSED/.test(codes)) {
    return {
      id: "connection-refused",
      title: `${ctx.host} refused the connection on port ${ctx.port}`,
      explanation: "The server is reachable but nothing accepts mail on that port.",
      advice: ["Check the TLS Port: most providers use 587 (STARTTLS) or 465 (SSL/TLS).", "Check the Server name for typos."],
      helpHref: help("connection-refused"),
    };
  }
  if (/EDNS|ENOTFOUND|EAI_AGAIN|ENODATA/.test(codes)) return hostNotFound(ctx.host);
  if (/ERR_TLS_CERT_ALTNAME_INVALID|altnames|Hostname\/IP does not match/i.test(codes)) {
    return {
      id: "certificate-wrong-host",
      title: `The server's certificate is for another name, not ${ctx.host}`,
      explanation: "The connection was stopped because the server could not prove it is the one you named.",
      advice: ["Use the exact server name your provider documents (not an IP address or an alias).", "If you run your own server, its certificate must include this name."],
      helpHref: help("certificate-wrong-host"),
    };
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|certificate/i.test(codes)) {
    return {
      id: "certificate-untrusted",
      title: "The server's certificate is not trusted",
      explanation: "The server presented a certificate that is self-signed, expired or from an unknown authority, so the connection was stopped to protect your password.",
      advice: [
        "Check the Server name: a provider's real server has a trusted certificate.",
        "For your own server with a private certificate authority, ask the administrator of this app to trust it (NODE_EXTRA_CA_CERTS).",
      ],
      helpHref: help("certificate-untrusted"),
    };
  }
  if (err.responseCode === 530 || /5\.7\.0\b.*auth|Authentication required/i.test(text)) {
    return {
      id: "auth-required",
      title: "The server requires you to sign in",
      explanation: "The server refused to send because the connection was not authenticated.",
      advice: ["Enter the User and Password for the account.", "Make sure Security is STARTTLS or SSL/TLS: many servers only offer sign-in over an encrypted connection."],
      helpHref: help("auth-required"),
    };
  }
  if (/5\.4\.5\b|sending limit|quota/i.test(text)) {
    return {
      id: "sending-limit",
      title: "The account has reached its sending limit",
      explanation: "The provider accepted the sign-in but refuses to send more mail for now.",
      advice: ["Wait until the limit resets (Google: a rolling 24 hours) and try again.", "For high volumes, use a business account or a sending service such as Amazon SES, SendGrid or Postmark."],
      helpHref: help("sending-limit"),
    };
  }
  if (err.responseCode === 552 || /5\.3\.4\b|too (large|big)|size limit/i.test(text)) {
    return {
      id: "message-too-large",
      title: "The message is larger than the server accepts",
      explanation: "The server refused the message because of its size.",
      advice: ["Keep attachments small, or link to large documents instead of attaching them."],
      helpHref: help("message-too-large"),
    };
  }
  if (/RCPT/i.test(command) || err.code === "EENVELOPE") {
    return {
      id: "recipient-refused",
      title: "The recipient address was refused",
      explanation: "The server accepted the account but not the address in Send to.",
      advice: ["Check the Send to address for typos.", "Try sending to another address you control."],
      helpHref: help("recipient-refused"),
    };
  }
  return {
    id: "other-reply",
    title: "The server refused the request",
    explanation: response ? "The server answered with an error; its exact reply is shown below." : "The connection failed; the technical detail is shown below.",
    advice: ["Check each setting against your provider's documentation.", "If the reply mentions a policy or block, contact your email provider with the reply text."],
    helpHref: help("other-reply"),
  };
}

export function hostNotFound(host: string): Diagnosis {
  const suggestion = spellingSuggestion(host);
  return {
    id: "host-not-found",
    title: `The server name ${host} was not found`,
    explanation: suggestion ? `No server has that name. Did you mean ${suggestion}?` : "No server has that name.",
    advice: suggestion ? [`Change Server to ${suggestion}.`] : ["Check the Server for typos; copy it from your provider's settings page."],
    helpHref: help("host-not-found"),
    fix: suggestion ? { field: "host", value: suggestion, label: `Use ${suggestion}` } : undefined,
  };
}

export function blockedAddress(message: string): Diagnosis {
  return {
    id: "blocked-address",
    title: "That server is on a private network",
    explanation: message,
    advice: ["Use your provider's public SMTP server name.", "For an on-premises relay, the administrator of this app can allow private networks (SMTP_ALLOW_PRIVATE_NETWORKS=true)."],
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

