// The one table of SMTP provider presets: the form, the validation, provider detection and the help pages all read it.
// Facts about a provider belong here, not in a component, so they are corrected in one place.

export type Security = "ssl" | "starttls";

/** What the Password field says when a Google preset gets something that is not a 16-letter app password. */
export const GOOGLE_APP_PASSWORD_MESSAGE =
  "Google requires an app password here, not your Google account password: 16 letters, shown as four groups of four.";
export type PasswordKind = "app-password" | "account-password" | "api-key" | "smtp-credentials";

export type SmtpEndpoint = {
  readonly host: string;
  readonly port: number;
  readonly security: Security;
  /** When to pick this instead of the recommended server. */
  readonly note?: string;
};

/**
 * What the From domain's DNS must publish for mail sent through a provider to pass SPF, DKIM and DMARC.
 * spf: "include": the provider's servers are authorised by an include (evaluated for one address they send from,
 * so nested includes and redirects count); "own-return-path": the provider sends with its own return-path domain, so
 * the From domain's SPF does not decide (DMARC passes through DKIM); "smtp-server": unknown provider, evaluated for
 * the SMTP server's own address.
 * dkim: the selectors the provider signs with ({domain} and {domainDashes} in a value stand for the From domain), or
 * where to find a selector that is chosen at set-up.
 */
export type DomainAuthentication = {
  readonly spf:
    | { readonly kind: "include"; readonly include: string; readonly sendingAddress: string }
    | { readonly kind: "own-return-path" }
    | { readonly kind: "smtp-server" };
  readonly dkim:
    | {
        readonly selectors: readonly {
          readonly name: string;
          readonly type: "TXT" | "CNAME";
          readonly value: string;
        }[];
      }
    | { readonly findSelector: string };
  /** The provider's own page about authenticating a domain. */
  readonly guideUrl: string;
};

type PresetDefinition = {
  readonly id: string;
  readonly name: string;
  /** Who runs the servers, as people call them in a sentence: "Google", "Microsoft". */
  readonly company: string;
  /** Empty only for "custom". */
  readonly host: string;
  readonly port: number;
  readonly security: Security;
  readonly alternatives: readonly SmtpEndpoint[];
  readonly userHint: string;
  readonly passwordHint: string;
  readonly passwordKind: PasswordKind;
  readonly requirements: readonly string[];
  readonly helpSlug: string;
  /** Mailbox domains that identify the provider from an address alone (lower case). */
  readonly mailboxDomains: readonly string[];
  /** MX host suffixes that identify the provider for a custom domain (lower case, no trailing dot). */
  readonly mxSuffixes: readonly string[];
  /** The provider replaces the From address unless it is the account itself or a verified alias. */
  readonly rewritesFrom: boolean;
  /** SPF, DKIM and DMARC for a From address on the organisation's own domain (the Deliverability card). */
  readonly domainAuth: DomainAuthentication;
};

const TABLE = [
  {
    id: "google-mail",
    name: "Google Mail (Gmail)",
    company: "Google",
    host: "smtp.gmail.com",
    port: 587,
    security: "starttls",
    alternatives: [{ host: "smtp.gmail.com", port: 465, security: "ssl", note: "If your network blocks port 587." }],
    userHint: "Your full Gmail address, like name@gmail.com.",
    passwordHint:
      "A 16-character app password from your Google Account (four groups of four letters), not your Google password.",
    passwordKind: "app-password",
    requirements: [
      "2-Step Verification must be on",
      "Create an app password for this app in your Google Account",
      "Changing your Google password revokes every app password",
    ],
    helpSlug: "google-mail-smtp",
    mailboxDomains: ["gmail.com", "googlemail.com"],
    mxSuffixes: [],
    rewritesFrom: true,
    domainAuth: {
      spf: { kind: "include", include: "_spf.google.com", sendingAddress: "209.85.220.41" },
      dkim: {
        findSelector:
          "A personal Gmail account cannot sign mail for your own domain. Send from the Gmail address itself, or use Google Workspace for the domain.",
      },
      guideUrl: "https://support.google.com/a/answer/33786",
    },
  },
  {
    id: "google-workspace",
    name: "Google Workspace",
    company: "Google",
    host: "smtp.gmail.com",
    port: 587,
    security: "starttls",
    alternatives: [
      { host: "smtp.gmail.com", port: 465, security: "ssl", note: "If your network blocks port 587." },
      {
        host: "smtp-relay.gmail.com",
        port: 587,
        security: "starttls",
        note: "Google's SMTP relay service, if your administrator has set it up for your domain.",
      },
    ],
    userHint: "Your full work address, like name@yourcompany.com.",
    passwordHint:
      "A 16-character app password from your Google Account (four groups of four letters), not your Google password.",
    passwordKind: "app-password",
    requirements: [
      "2-Step Verification must be on",
      "Your Workspace administrator must allow app passwords",
      "Changing your Google password revokes every app password",
    ],
    helpSlug: "google-workspace-smtp",
    mailboxDomains: [],
    mxSuffixes: ["google.com", "googlemail.com"],
    rewritesFrom: true,
    domainAuth: {
      spf: { kind: "include", include: "_spf.google.com", sendingAddress: "209.85.220.41" },
      dkim: {
        selectors: [
          {
            name: "google",
            type: "TXT",
            value:
              "v=DKIM1; k=rsa; p=<the key from Google Admin console: Apps → Google Workspace → Gmail → Authenticate email → Generate new record>",
          },
        ],
      },
      guideUrl: "https://support.google.com/a/answer/174124",
    },
  },
  {
    id: "microsoft-365",
    name: "Microsoft 365 (Exchange Online)",
    company: "Microsoft",
    host: "smtp.office365.com",
    port: 587,
    security: "starttls",
    alternatives: [],
    userHint: "Your full work address, like name@yourcompany.com.",
    passwordHint: "The password of this mailbox.",
    passwordKind: "account-password",
    requirements: [
      "SMTP AUTH must be enabled for the mailbox (Microsoft 365 admin center, Mail, Manage email apps, Authenticated SMTP)",
      "Security defaults or Conditional Access can block SMTP AUTH for the whole organisation",
      "The From address must be this mailbox or one it has Send As permission for",
    ],
    helpSlug: "microsoft-365-smtp",
    mailboxDomains: [],
    mxSuffixes: ["mail.protection.outlook.com"],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "include", include: "spf.protection.outlook.com", sendingAddress: "40.107.22.52" },
      dkim: {
        selectors: [
          {
            name: "selector1",
            type: "CNAME",
            value:
              "selector1-{domainDashes}._domainkey.<your tenant>.onmicrosoft.com (the exact value: Microsoft Defender portal → Email & collaboration → Policies → Email authentication settings → DKIM → your domain)",
          },
          {
            name: "selector2",
            type: "CNAME",
            value:
              "selector2-{domainDashes}._domainkey.<your tenant>.onmicrosoft.com (the exact value: Microsoft Defender portal → Email authentication settings → DKIM → your domain)",
          },
        ],
      },
      guideUrl: "https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure",
    },
  },
  {
    id: "outlook-com",
    name: "Outlook.com (Hotmail, Live)",
    company: "Microsoft",
    host: "smtp-mail.outlook.com",
    port: 587,
    security: "starttls",
    alternatives: [],
    userHint: "Your full Outlook.com address, like name@outlook.com.",
    passwordHint: "Your Microsoft account password, or an app password if two-step verification is on.",
    passwordKind: "account-password",
    requirements: [
      "If two-step verification is on, create an app password in your Microsoft account",
      "Microsoft may refuse password sign-in for personal accounts that require modern authentication",
    ],
    helpSlug: "outlook-com-smtp",
    mailboxDomains: ["outlook.com", "hotmail.com", "live.com", "msn.com"],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "include", include: "spf.protection.outlook.com", sendingAddress: "40.107.22.52" },
      dkim: {
        findSelector:
          "Outlook.com cannot sign mail for your own domain. Send from the Outlook.com address itself, or use Microsoft 365 for the domain.",
      },
      guideUrl: "https://learn.microsoft.com/defender-office-365/email-authentication-spf-configure",
    },
  },
  {
    id: "yahoo",
    name: "Yahoo Mail",
    company: "Yahoo",
    host: "smtp.mail.yahoo.com",
    port: 465,
    security: "ssl",
    alternatives: [
      { host: "smtp.mail.yahoo.com", port: 587, security: "starttls", note: "If your network blocks port 465." },
    ],
    userHint: "Your full Yahoo address, like name@yahoo.com.",
    passwordHint: "An app password generated in Yahoo Account Security, not your Yahoo password.",
    passwordKind: "app-password",
    requirements: ["Generate an app password in Yahoo Account Security"],
    helpSlug: "yahoo-smtp",
    mailboxDomains: ["yahoo.com", "ymail.com"],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "own-return-path" },
      dkim: { findSelector: "Yahoo Mail cannot sign mail for your own domain. Send from the Yahoo address itself." },
      guideUrl: "https://senders.yahooinc.com/best-practices/",
    },
  },
  {
    id: "icloud",
    name: "iCloud Mail",
    company: "Apple",
    host: "smtp.mail.me.com",
    port: 587,
    security: "starttls",
    alternatives: [],
    userHint: "Your full iCloud address, like name@icloud.com.",
    passwordHint: "An app-specific password from your Apple Account, not your Apple Account password.",
    passwordKind: "app-password",
    requirements: [
      "Two-factor authentication must be on for your Apple Account",
      "Create an app-specific password in your Apple Account settings",
    ],
    helpSlug: "icloud-smtp",
    mailboxDomains: ["icloud.com", "me.com", "mac.com"],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "include", include: "icloud.com", sendingAddress: "17.58.63.1" },
      dkim: { selectors: [{ name: "sig1", type: "CNAME", value: "sig1.dkim.{domain}.at.icloudmailadmin.com" }] },
      guideUrl: "https://support.apple.com/102374",
    },
  },
  {
    id: "zoho",
    name: "Zoho Mail",
    company: "Zoho",
    host: "smtp.zoho.com",
    port: 465,
    security: "ssl",
    alternatives: [
      { host: "smtp.zoho.com", port: 587, security: "starttls", note: "If your network blocks port 465." },
    ],
    userHint: "Your full Zoho address.",
    passwordHint: "Your Zoho password, or an application-specific password if two-factor authentication is on.",
    passwordKind: "account-password",
    requirements: [
      "Accounts in other regions use their region's server, like smtp.zoho.eu",
      "With two-factor authentication on, use an application-specific password",
    ],
    helpSlug: "zoho-smtp",
    mailboxDomains: ["zoho.com", "zohomail.com"],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "include", include: "zoho.com", sendingAddress: "136.143.188.51" },
      dkim: {
        findSelector:
          "Zoho Mail Admin Console → Domains → your domain → Email configuration → DKIM: the selector named there (add one if there is none).",
      },
      guideUrl: "https://www.zoho.com/mail/help/adminconsole/dkim-configuration.html",
    },
  },
  {
    id: "fastmail",
    name: "Fastmail",
    company: "Fastmail",
    host: "smtp.fastmail.com",
    port: 465,
    security: "ssl",
    alternatives: [
      { host: "smtp.fastmail.com", port: 587, security: "starttls", note: "If your network blocks port 465." },
    ],
    userHint: "Your full Fastmail address.",
    passwordHint: "An app password with SMTP access, created in Fastmail's settings.",
    passwordKind: "app-password",
    requirements: ["Create an app password that allows SMTP"],
    helpSlug: "fastmail-smtp",
    mailboxDomains: ["fastmail.com", "fastmail.fm"],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "include", include: "spf.messagingengine.com", sendingAddress: "66.111.4.25" },
      dkim: {
        selectors: [
          { name: "fm1", type: "CNAME", value: "fm1.{domain}.dkim.fmhosted.com" },
          { name: "fm2", type: "CNAME", value: "fm2.{domain}.dkim.fmhosted.com" },
          { name: "fm3", type: "CNAME", value: "fm3.{domain}.dkim.fmhosted.com" },
        ],
      },
      guideUrl: "https://www.fastmail.help/hc/en-us/articles/360060591153",
    },
  },
  {
    id: "amazon-ses",
    name: "Amazon SES",
    company: "Amazon",
    host: "email-smtp.us-east-1.amazonaws.com",
    port: 587,
    security: "starttls",
    alternatives: [
      {
        host: "email-smtp.us-east-1.amazonaws.com",
        port: 465,
        security: "ssl",
        note: "If your network blocks port 587.",
      },
    ],
    userHint: "The SMTP user name from the SES console (not an AWS access key ID).",
    passwordHint: "The SMTP password created with it in the SES console (not an AWS secret access key).",
    passwordKind: "smtp-credentials",
    requirements: [
      "Use SMTP credentials created in the SES console, not AWS access keys",
      "The server is region-specific: replace us-east-1 with your SES region",
      "The From address or its domain must be verified in SES",
    ],
    helpSlug: "amazon-ses-smtp",
    mailboxDomains: [],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "own-return-path" },
      dkim: {
        findSelector:
          "Amazon SES console → Identities → your domain → Authentication: the three CNAME records named <token>._domainkey.{domain} (Easy DKIM).",
      },
      guideUrl: "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html",
    },
  },
  {
    id: "sendgrid",
    name: "SendGrid",
    company: "SendGrid",
    host: "smtp.sendgrid.net",
    port: 587,
    security: "starttls",
    alternatives: [{ host: "smtp.sendgrid.net", port: 465, security: "ssl", note: "If your network blocks port 587." }],
    userHint: "Literally the word apikey.",
    passwordHint: "A SendGrid API key with Mail Send permission.",
    passwordKind: "api-key",
    requirements: [
      "The User is literally apikey",
      "The API key needs Mail Send permission",
      "The From address must be a verified sender or on an authenticated domain",
    ],
    helpSlug: "sendgrid-smtp",
    mailboxDomains: [],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "own-return-path" },
      dkim: {
        selectors: [
          {
            name: "s1",
            type: "CNAME",
            value:
              "s1.domainkey.u<account>.wl<id>.sendgrid.net (the exact value: SendGrid → Settings → Sender Authentication → your domain)",
          },
          {
            name: "s2",
            type: "CNAME",
            value:
              "s2.domainkey.u<account>.wl<id>.sendgrid.net (the exact value: SendGrid → Settings → Sender Authentication → your domain)",
          },
        ],
      },
      guideUrl: "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication",
    },
  },
  {
    id: "mailgun",
    name: "Mailgun",
    company: "Mailgun",
    host: "smtp.mailgun.org",
    port: 587,
    security: "starttls",
    alternatives: [
      { host: "smtp.mailgun.org", port: 465, security: "ssl", note: "If your network blocks port 587." },
      { host: "smtp.eu.mailgun.org", port: 587, security: "starttls", note: "For domains in Mailgun's EU region." },
    ],
    userHint: "The SMTP login from your Mailgun domain settings, like postmaster@mg.example.com.",
    passwordHint: "The SMTP password from your Mailgun domain settings.",
    passwordKind: "smtp-credentials",
    requirements: ["Use the SMTP credentials from your Mailgun domain's settings"],
    helpSlug: "mailgun-smtp",
    mailboxDomains: [],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "include", include: "mailgun.org", sendingAddress: "159.135.224.10" },
      dkim: {
        findSelector:
          "Mailgun → Send → Sending → Domain settings → DNS records: the TXT record whose name ends in ._domainkey.{domain}.",
      },
      guideUrl: "https://documentation.mailgun.com/docs/mailgun/user-manual/domains/domains-verify",
    },
  },
  {
    id: "postmark",
    name: "Postmark",
    company: "Postmark",
    host: "smtp.postmarkapp.com",
    port: 587,
    security: "starttls",
    alternatives: [
      { host: "smtp.postmarkapp.com", port: 2525, security: "starttls", note: "If your network blocks port 587." },
    ],
    userHint: "Your server API token.",
    passwordHint: "The same server API token as the User.",
    passwordKind: "api-key",
    requirements: [
      "Use the server API token as both User and Password",
      "The From address must be a confirmed sender signature or on a verified domain",
    ],
    helpSlug: "postmark-smtp",
    mailboxDomains: [],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "own-return-path" },
      dkim: {
        findSelector:
          "Postmark → Sender Signatures → your domain → DNS Settings: the TXT record named like 20240101120000pm._domainkey.",
      },
      guideUrl: "https://postmarkapp.com/support/article/1046-how-do-i-verify-a-domain",
    },
  },
  {
    id: "custom",
    name: "Other SMTP server",
    company: "your provider",
    host: "",
    port: 587,
    security: "starttls",
    alternatives: [],
    userHint: "Usually your full email address.",
    passwordHint: "The password for this mailbox or SMTP service.",
    passwordKind: "account-password",
    requirements: [],
    helpSlug: "custom-smtp",
    mailboxDomains: [],
    mxSuffixes: [],
    rewritesFrom: false,
    domainAuth: {
      spf: { kind: "smtp-server" },
      dkim: {
        findSelector:
          "Ask whoever runs your mail server which DKIM selector it signs with: its public key is published at <selector>._domainkey.{domain}.",
      },
      guideUrl: "https://www.rfc-editor.org/rfc/rfc7208",
    },
  },
] as const satisfies readonly PresetDefinition[];

export type PresetId = (typeof TABLE)[number]["id"];
export type SmtpPreset = Omit<PresetDefinition, "id"> & { readonly id: PresetId };
export type GooglePresetId = "google-mail" | "google-workspace";

export const PRESETS: readonly SmtpPreset[] = TABLE;

/** Every preset id, as the non-empty tuple z.enum needs. */
export const PRESET_IDS = TABLE.map((p) => p.id) as unknown as readonly [PresetId, ...PresetId[]];

const BY_ID = new Map<string, SmtpPreset>(PRESETS.map((p) => [p.id, p]));

export function getPreset(id: PresetId): SmtpPreset;
export function getPreset(id: string): SmtpPreset | undefined;
export function getPreset(id: string): SmtpPreset | undefined {
  return BY_ID.get(id);
}

export function isPresetId(id: string): id is PresetId {
  return BY_ID.has(id);
}

/** Google presets need a 16-letter app password and rewrite the From address. */
export function isGooglePreset(id: string): id is GooglePresetId {
  return id === "google-mail" || id === "google-workspace";
}

/**
 * The preset whose facts apply to an account: the chosen one, except that a Google account is judged by its address.
 * gmail.com and googlemail.com are personal Gmail; an address on any other domain that signs in at Google is a Google
 * Workspace mailbox, whichever of the two Google presets was picked (a clinic's "Google Mail" on its own domain).
 */
export function presetForAccount(presetId: string, user: string): string {
  if (!isGooglePreset(presetId)) return presetId;
  const at = user.trim().lastIndexOf("@");
  if (at < 1) return presetId;
  const domain = user
    .trim()
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, "");
  return getPreset("google-mail").mailboxDomains.includes(domain) ? "google-mail" : "google-workspace";
}

export function defaultSecurityForPort(port: number): Security {
  return port === 465 ? "ssl" : "starttls";
}

const STARTTLS_PORTS = new Set([25, 587, 2525]);

/** What will happen when the port and security do not match, in one plain sentence; null when they fit or the port is unusual. */
export function securityMismatchWarning(port: number, security: Security): string | null {
  if (port === 465 && security === "starttls") {
    return "Port 465 expects SSL/TLS from the first byte: with STARTTLS the server will never answer and the test will time out.";
  }
  if (STARTTLS_PORTS.has(port) && security === "ssl") {
    return `Port ${port} expects STARTTLS: with SSL/TLS the connection will fail with a TLS error.`;
  }
  return null;
}
