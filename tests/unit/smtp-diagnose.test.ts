// Pins what diagnose() says for a broad set of failures: which diagnosis each gets (the table below), and every word
// of it (the snapshot file beside this one). Inputs that fit several rules pin the order the rules are tried in.
import { describe, expect, it } from "vitest";
import {
  blockedAddress,
  diagnose,
  DIAGNOSIS_IDS,
  hostNotFound,
  mailboxSignInFailed,
  savedPasswordUnreadable,
  type DiagnoseContext,
  type Diagnosis,
  type DiagnosisId,
  type SmtpErrorLike,
} from "@/lib/smtp/diagnose";

const GMAIL: DiagnoseContext = {
  host: "smtp.gmail.com",
  port: 587,
  security: "starttls",
  provider: "google-mail",
  user: "clinic@gmail.com",
};
const WORKSPACE: DiagnoseContext = { host: "smtp.gmail.com", port: 465, security: "ssl", provider: "google-workspace" };
const M365: DiagnoseContext = {
  host: "smtp.office365.com",
  port: 587,
  security: "starttls",
  provider: "microsoft-365",
  user: "finance@contoso.example",
};
const CUSTOM: DiagnoseContext = { host: "mail.clinic.example", port: 587, security: "starttls", provider: "custom" };
const ON_465 = (security: DiagnoseContext["security"]): DiagnoseContext => ({
  host: "mail.clinic.example",
  port: 465,
  security,
});

const CASES: [name: string, err: SmtpErrorLike, ctx: DiagnoseContext, id: DiagnosisId][] = [
  // Enhanced status codes and provider wording in the reply.
  [
    "Google 534 5.7.9",
    {
      code: "EAUTH",
      responseCode: 534,
      response:
        "534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor",
      command: "AUTH PLAIN",
    },
    GMAIL,
    "google-app-password-required",
  ],
  [
    "app password wording only, in the message",
    { message: "Invalid login: Application-Specific Password required" },
    CUSTOM,
    "google-app-password-required",
  ],
  [
    "5.7.9 with a linked mailbox",
    { code: "EAUTH", responseCode: 535, response: "535 5.7.9 rejected" },
    { ...GMAIL, signedIn: true },
    "google-app-password-required",
  ],
  [
    "Gmail 550-5.7.26",
    {
      code: "EMESSAGE",
      responseCode: 550,
      response: "550-5.7.26 This mail is unauthenticated, which poses a security risk",
      command: "DATA",
    },
    GMAIL,
    "gmail-unauthenticated",
  ],
  [
    "Outlook.com 550 5.7.515",
    {
      code: "EMESSAGE",
      responseCode: 550,
      response: "550 5.7.515 Access denied, sending domain does not meet the required authentication level",
      command: "DATA",
    },
    CUSTOM,
    "outlook-unauthenticated",
  ],
  ["5.7.26 before 5.7.515", { response: "550 5.7.26 and 5.7.515" }, CUSTOM, "gmail-unauthenticated"],
  ["5.7.9 before 5.7.26", { response: "550 5.7.26 5.7.9" }, CUSTOM, "google-app-password-required"],
  ["5.7.260 is not 5.7.26", { responseCode: 550, response: "550 5.7.260 something" }, CUSTOM, "other-reply"],
  [
    "Microsoft 535 5.7.139",
    {
      code: "EAUTH",
      responseCode: 535,
      response: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
      command: "AUTH LOGIN",
    },
    M365,
    "microsoft-smtp-auth-disabled",
  ],
  [
    "Microsoft 530 5.7.57 at MAIL FROM",
    {
      code: "EENVELOPE",
      responseCode: 530,
      response: "530 5.7.57 Client not authenticated to send mail.",
      command: "MAIL FROM",
    },
    M365,
    "microsoft-smtp-auth-disabled",
  ],
  [
    "SMTP AUTH disabled wording only",
    { message: "smtpclientauthentication is disabled for the mailbox" },
    M365,
    "microsoft-smtp-auth-disabled",
  ],
  [
    "5.7.139 with a linked mailbox",
    { code: "EAUTH", responseCode: 535, response: "535 5.7.139 Authentication unsuccessful" },
    { ...M365, signedIn: true },
    "microsoft-smtp-auth-disabled",
  ],
  ["5.7.26 before 5.7.139", { response: "550 5.7.139 5.7.26" }, M365, "gmail-unauthenticated"],
  [
    "Microsoft 5.7.60 SendAsDenied",
    {
      code: "EENVELOPE",
      responseCode: 550,
      response: "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
      command: "MAIL FROM",
    },
    M365,
    "send-as-denied",
  ],
  ["SendAsDenied wording only", { responseCode: 554, response: "554 sendasdenied" }, M365, "send-as-denied"],
  [
    "send-as permission wording only",
    { message: "Client does not have permissions to send as this sender" },
    M365,
    "send-as-denied",
  ],
  ["5.7.139 before 5.7.60", { response: "5.7.60 5.7.139" }, M365, "microsoft-smtp-auth-disabled"],
  [
    "5.7.60 before a rejected sign-in",
    { code: "EAUTH", response: "535 5.7.60" },
    { ...M365, signedIn: true },
    "send-as-denied",
  ],
  // Sign-in refused: with a linked mailbox's token, or with a password (Google's words differ).
  [
    "XOAUTH2 535 5.7.3",
    { code: "EAUTH", responseCode: 535, response: "535 5.7.3 Authentication unsuccessful", command: "AUTH XOAUTH2" },
    { ...M365, signedIn: true },
    "mailbox-token-rejected",
  ],
  [
    "XOAUTH2, 5.7.3 in the reply only",
    { response: "5.7.3 Authentication unsuccessful" },
    { ...M365, signedIn: true },
    "mailbox-token-rejected",
  ],
  [
    "XOAUTH2, 5.7.8 in the reply only",
    { response: "5.7.8 Username and Password not accepted" },
    { ...GMAIL, signedIn: true },
    "mailbox-token-rejected",
  ],
  ["XOAUTH2, 535 only", { responseCode: 535 }, { ...GMAIL, signedIn: true }, "mailbox-token-rejected"],
  ["XOAUTH2, EAUTH only", { code: "EAUTH" }, { ...M365, signedIn: true }, "mailbox-token-rejected"],
  ["5.7.3 with a password", { responseCode: 550, response: "550 5.7.3 something" }, M365, "other-reply"],
  [
    "Google 535 5.7.8",
    {
      code: "EAUTH",
      responseCode: 535,
      response:
        "535-5.7.8 Username and Password not accepted.\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials",
      command: "AUTH PLAIN",
    },
    GMAIL,
    "bad-credentials",
  ],
  ["Google Workspace EAUTH", { code: "EAUTH" }, WORKSPACE, "bad-credentials"],
  [
    "a gmail.com server with another preset",
    { code: "EAUTH" },
    { ...CUSTOM, host: "smtp.gmail.com" },
    "bad-credentials",
  ],
  ["a server that only ends in gmail.com", { code: "EAUTH" }, { ...CUSTOM, host: "notgmail.com" }, "bad-credentials"],
  [
    "other server 535",
    { code: "EAUTH", responseCode: 535, response: "535 Authentication failed", command: "AUTH LOGIN" },
    CUSTOM,
    "bad-credentials",
  ],
  ["535 only", { responseCode: 535 }, CUSTOM, "bad-credentials"],
  ["5.7.8 in the message only", { message: "Invalid login: 5.7.8 rejected" }, M365, "bad-credentials"],
  [
    "EAUTH before a TLS version error",
    { code: "EAUTH", originalCode: "ERR_SSL_WRONG_VERSION_NUMBER" },
    CUSTOM,
    "bad-credentials",
  ],
  // Connection, TLS and name errors: nodemailer's code, the system's code, the cause's code or the message.
  [
    "SSL/TLS on a STARTTLS port",
    { code: "ESOCKET", originalCode: "ERR_SSL_WRONG_VERSION_NUMBER", command: "CONN" },
    { ...CUSTOM, security: "ssl" },
    "ssl-on-starttls-port",
  ],
  [
    "SSL/TLS on port 2525",
    { code: "ESOCKET", message: "wrong version number" },
    { ...CUSTOM, port: 2525, security: "ssl" },
    "ssl-on-starttls-port",
  ],
  [
    "packet length too long",
    { reason: "packet length too long" },
    { ...CUSTOM, security: "ssl" },
    "ssl-on-starttls-port",
  ],
  [
    "unknown protocol, as the cause",
    { code: "ESOCKET", cause: { code: "unknown protocol" } },
    { ...CUSTOM, security: "ssl" },
    "ssl-on-starttls-port",
  ],
  [
    "TLS version error before a timeout",
    { code: "ETIMEDOUT", originalCode: "ERR_SSL_WRONG_VERSION_NUMBER" },
    ON_465("starttls"),
    "ssl-on-starttls-port",
  ],
  [
    "no greeting on 465 with STARTTLS",
    { code: "ETIMEDOUT", command: "CONN", timeoutType: "GREETING_TIMEOUT" },
    ON_465("starttls"),
    "starttls-on-ssl-port",
  ],
  [
    "greeting timeout on 465 with STARTTLS, no command",
    { code: "ETIMEDOUT", timeoutType: "GREETING_TIMEOUT" },
    ON_465("starttls"),
    "starttls-on-ssl-port",
  ],
  [
    "GREETING_TIMEOUT as the code on 465",
    { code: "GREETING_TIMEOUT", command: "EHLO" },
    ON_465("starttls"),
    "starttls-on-ssl-port",
  ],
  [
    "timeout at CONN on 465 with STARTTLS",
    { code: "ETIMEDOUT", command: "CONN", timeoutType: "SOCKET_TIMEOUT" },
    ON_465("starttls"),
    "starttls-on-ssl-port",
  ],
  [
    "socket timeout after the greeting on 465",
    { code: "ETIMEDOUT", command: "EHLO", timeoutType: "SOCKET_TIMEOUT" },
    ON_465("starttls"),
    "timeout",
  ],
  [
    "no greeting on 465 with SSL/TLS",
    { code: "ETIMEDOUT", command: "CONN", timeoutType: "GREETING_TIMEOUT" },
    ON_465("ssl"),
    "timeout",
  ],
  [
    "no greeting on 587 with STARTTLS",
    { code: "ETIMEDOUT", command: "CONN", timeoutType: "GREETING_TIMEOUT" },
    CUSTOM,
    "timeout",
  ],
  ["CONNECT_TIMEOUT", { originalCode: "CONNECT_TIMEOUT" }, { ...CUSTOM, port: 25 }, "timeout"],
  ["timed out, in the message", { message: "Connection timed out" }, CUSTOM, "timeout"],
  ["time out, in the message", { message: "connection time out" }, CUSTOM, "timeout"],
  ["timeout, in the message", { message: "Timeout" }, CUSTOM, "timeout"],
  [
    "timed out in the reply only is not a connection timeout",
    { responseCode: 421, response: "421 4.4.2 Connection timed out" },
    CUSTOM,
    "other-reply",
  ],
  ["timeout before a refusal", { code: "ETIMEDOUT", originalCode: "ECONNREFUSED" }, CUSTOM, "timeout"],
  [
    "connection refused",
    { code: "ESOCKET", originalCode: "ECONNREFUSED", command: "CONN" },
    CUSTOM,
    "connection-refused",
  ],
  [
    "connection refused, in the message",
    { code: "ESOCKET", message: "connect ECONNREFUSED 203.0.113.5:587" },
    CUSTOM,
    "connection-refused",
  ],
  ["refusal before a missing name", { code: "EDNS", originalCode: "ECONNREFUSED" }, CUSTOM, "connection-refused"],
  [
    "name not found, with a spelling fix",
    { code: "EDNS", originalCode: "ENOTFOUND" },
    { ...CUSTOM, host: "smtp.gmial.com" },
    "host-not-found",
  ],
  ["name not found, no suggestion", { code: "EDNS", originalCode: "ENOTFOUND" }, CUSTOM, "host-not-found"],
  [
    "EAI_AGAIN",
    { code: "ESOCKET", cause: { code: "EAI_AGAIN" } },
    { ...CUSTOM, host: "smtp.office356.com" },
    "host-not-found",
  ],
  ["ENODATA", { reason: "ENODATA" }, CUSTOM, "host-not-found"],
  [
    "missing name before a certificate error",
    { code: "EDNS", originalCode: "CERT_HAS_EXPIRED" },
    CUSTOM,
    "host-not-found",
  ],
  [
    "certificate for another name",
    { code: "ESOCKET", originalCode: "ERR_TLS_CERT_ALTNAME_INVALID", command: "CONN" },
    CUSTOM,
    "certificate-wrong-host",
  ],
  [
    "certificate for another name, in the message",
    { message: "Hostname/IP does not match certificate's altnames: Host: x. is not in the cert's altnames" },
    CUSTOM,
    "certificate-wrong-host",
  ],
  [
    "self-signed certificate",
    { code: "ESOCKET", originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT", command: "CONN" },
    { ...CUSTOM, security: "ssl" },
    "certificate-untrusted",
  ],
  [
    "unknown authority",
    { code: "ESOCKET", originalCode: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" },
    CUSTOM,
    "certificate-untrusted",
  ],
  [
    "missing issuer",
    { code: "ESOCKET", originalCode: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" },
    CUSTOM,
    "certificate-untrusted",
  ],
  [
    "certificate, in the message",
    { message: "self-signed certificate in certificate chain" },
    CUSTOM,
    "certificate-untrusted",
  ],
  [
    "certificate error before a 530",
    { code: "ESOCKET", originalCode: "CERT_HAS_EXPIRED", responseCode: 530 },
    CUSTOM,
    "certificate-untrusted",
  ],
  // Refused sends: the reply code or the reply's words, and the command that failed.
  [
    "530 at MAIL FROM",
    { code: "EENVELOPE", responseCode: 530, response: "530 5.7.0 Authentication required", command: "MAIL FROM" },
    CUSTOM,
    "auth-required",
  ],
  [
    "5.7.0 ... auth in the reply",
    { responseCode: 550, response: "550 5.7.0 Must AUTH first" },
    CUSTOM,
    "auth-required",
  ],
  ["authentication required, in the message", { message: "authentication REQUIRED" }, CUSTOM, "auth-required"],
  ["530 before a sending limit", { responseCode: 530, response: "530 quota" }, CUSTOM, "auth-required"],
  [
    "550 5.4.5 daily limit",
    {
      code: "EENVELOPE",
      responseCode: 550,
      response: "550-5.4.5 Daily user sending limit exceeded.",
      command: "MAIL FROM",
    },
    GMAIL,
    "sending-limit",
  ],
  ["quota, in the reply", { responseCode: 452, response: "452 4.2.2 Quota exceeded" }, CUSTOM, "sending-limit"],
  ["sending limit before a size limit", { responseCode: 552, response: "552 sending limit" }, CUSTOM, "sending-limit"],
  [
    "552 5.3.4 after DATA",
    {
      code: "EMESSAGE",
      responseCode: 552,
      response: "552 5.3.4 Error: message exceeds fixed maximum message size",
      command: "DATA",
    },
    CUSTOM,
    "message-too-large",
  ],
  ["552 only", { responseCode: 552 }, CUSTOM, "message-too-large"],
  ["too big, in the reply", { responseCode: 554, response: "554 Message too big" }, CUSTOM, "message-too-large"],
  ["size limit, in the reply", { responseCode: 554, response: "554 Size limit exceeded" }, CUSTOM, "message-too-large"],
  [
    "too large at RCPT",
    { code: "EENVELOPE", responseCode: 550, response: "550 too large", command: "RCPT TO" },
    CUSTOM,
    "message-too-large",
  ],
  [
    "550 5.1.1 at RCPT TO",
    {
      code: "EENVELOPE",
      responseCode: 550,
      response: "550 5.1.1 <nobody@clinic.example>: Recipient address rejected: User unknown",
      command: "RCPT TO",
    },
    CUSTOM,
    "recipient-refused",
  ],
  [
    "RCPT without EENVELOPE",
    { responseCode: 553, response: "553 no", command: "rcpt to" },
    CUSTOM,
    "recipient-refused",
  ],
  [
    "EENVELOPE at MAIL FROM",
    { code: "EENVELOPE", responseCode: 553, response: "553 5.1.8 Sender address rejected", command: "MAIL FROM" },
    CUSTOM,
    "recipient-refused",
  ],
  // Anything else.
  [
    "a policy reply",
    { code: "EMESSAGE", responseCode: 554, response: "554 5.7.1 Rejected by policy", command: "DATA" },
    CUSTOM,
    "other-reply",
  ],
  ["no reply at all", { code: "ESOCKET", message: "socket hang up" }, CUSTOM, "other-reply"],
  ["nothing known", {}, CUSTOM, "other-reply"],
];

describe("diagnose", () => {
  it.each(CASES)("%s", (_name, err, ctx, id) => {
    const d = diagnose(err, ctx);
    expect(d.id).toBe(id);
    expect(d.helpHref).toBe(`/help/troubleshooting#${id}`);
    expect(d).toMatchSnapshot();
  });
});

describe("the diagnoses given outside diagnose()", () => {
  const OTHERS: [name: string, make: () => Diagnosis, id: DiagnosisId][] = [
    ["a name not found", () => hostNotFound("smtp.gmial.com"), "host-not-found"],
    ["a provider's own name not found: the app's side", () => hostNotFound("smtp.gmail.com"), "provider-unreachable"],
    [
      "a private address",
      () => blockedAddress("mail.clinic.example points to a private or internal address."),
      "blocked-address",
    ],
    [
      "an unreadable saved password",
      () => savedPasswordUnreadable("The saved password was encrypted with a key this server does not have."),
      "saved-password-unreadable",
    ],
    [
      "an expired sign-in",
      () =>
        mailboxSignInFailed({
          providerLabel: "Microsoft",
          code: "invalid_grant",
          description: "AADSTS700082: expired",
        }),
      "mailbox-sign-in-expired",
    ],
    [
      "consent needed",
      () =>
        mailboxSignInFailed({
          providerLabel: "Microsoft",
          code: "invalid_grant",
          description: "AADSTS65001: no consent",
        }),
      "mailbox-consent-needed",
    ],
    [
      "an unknown app",
      () => mailboxSignInFailed({ providerLabel: "Microsoft", code: "unauthorized_client", description: "" }),
      "mailbox-app-unknown",
    ],
  ];

  it.each(OTHERS)("%s", (_name, make, id) => {
    const d = make();
    expect(d.id).toBe(id);
    expect(d).toMatchSnapshot();
  });

  it("every diagnosis is reached by some input above", () => {
    const reached = new Set([...CASES.map((c) => c[3]), ...OTHERS.map((c) => c[2])]);
    expect([...reached].sort()).toEqual([...DIAGNOSIS_IDS].sort());
  });
});
