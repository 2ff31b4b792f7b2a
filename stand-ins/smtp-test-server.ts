// Stand-in for a mail provider's SMTP server: the real smtp-server package on loopback with real TLS.
//
// A real SMTP server fixture (smtp-server 3.21 + plain net servers) for exercising nodemailer end to end.
//
//   const smtp = await startTestSmtpServer();            // all ports random, 127.0.0.1 only
//   nodemailer.createTransport({ host: "localhost", port: smtp.starttlsPort, secure: false,
//     auth: { user: smtp.user, pass: smtp.password }, connectionTimeout: 1000, greetingTimeout: 1000, socketTimeout: 1500 })
//   ...
//   await smtp.close();
//
// Certificates come from stand-ins/test-ca.ts. Workers trust the test CA because tests/helpers/vitest-global-setup.ts
// sets NODE_EXTRA_CA_CERTS before vitest forks them, so nodemailer's default `rejectUnauthorized: true` succeeds
// against starttlsPort / implicitTlsPort with host "localhost" or "127.0.0.1" (the cert has both names).
// Outside vitest, pass `tls: { ca: fs.readFileSync(smtp.caFile) }` instead.
//
// For load (scripts/bench-watch.ts): `replyDelayMs` holds every reply, `starttlsHosts` puts the STARTTLS listener on
// several loopback addresses (one port), `anyUser` lets every user name sign in with the password, and `load` counts
// the connections open at once per address.
//
// Listeners:
//   starttlsPort     plain greeting, STARTTLS offered, AUTH PLAIN/LOGIN (AUTH before STARTTLS → 538), cert server.pem
//                    (on every address of starttlsHosts when given, then with a certificate naming them all)
//   implicitTlsPort  TLS from the first byte (like 465), same cert, same auth and scripts
//   otherNamePort    implicit TLS with a CA-signed cert for DNS:other.example only
//   untrustedPort    implicit TLS with a self-signed localhost cert
//   silentPort       accepts TCP, never sends a byte
//   stallPort        sends "220 ... ESMTP" and then ignores everything
//   closedPort       nothing listens there (was free a moment ago): connection refused
//
// Scripts (same on every SMTP listener; addresses compare case-insensitively). The wire text is in REPLIES below.
//   password "regular-google-password" (any user)   AUTH  → 534-5.7.9 … / 534 5.7.9 … (Google, two lines)
//   user "m365-disabled@clinic.example"              AUTH  → 535 5.7.139 … (Microsoft, one line)
//   user "m365-basic@clinic.example" (any password)  AUTH ok, MAIL FROM → 530 5.7.57 … (Microsoft)
//   any other wrong user/password                     AUTH  → 535-5.7.8 … / 535 5.7.8 … (Google, two lines)
//   MAIL FROM limit@clinic.example                    MAIL  → 550-5.4.5 … (Google, three lines)
//   RCPT TO nobody@clinic.example                     RCPT  → 550-5.1.1 … (Google, four lines)
//   RCPT unauthenticated@gmail-receiver.example       DATA  → 550-5.7.26 … (Google, four lines: unauthenticated email)
//   RCPT unauthenticated@outlook-receiver.example     DATA  → 550 5.7.515 … (Outlook.com: domain not authenticated)
//   message over `sizeLimit`                          DATA  → 552-5.3.4 … (Google, two lines; SIZE is advertised but
//                                                     nodemailer's sendMail sends no SIZE= parameter, so it gets to DATA)
//   MAIL FROM before AUTH                             MAIL  → 530 Error: authentication Required (smtp-server's own)
//
// Observed with nodemailer 10.6.1 via createTransport().sendMail() (host "localhost", tls.servername "localhost", default
// rejectUnauthorized, connectionTimeout 1000, greetingTimeout 1000, socketTimeout 1500 ms). Pinned by
// tests/integration/smtp-test-server.test.ts; if this table and that test ever disagree, the test is right.
// err.response joins the reply lines with "\n" (no "\r"); err.message is "<nodemailer text>: <response>";
// err.permanent is true for every 5xx. "-" = property absent.
//
// | scenario                                  | err.code  | err.command | responseCode | originalCode / timeoutType          | other properties worth knowing                                    |
// |-------------------------------------------|-----------|-------------|--------------|-------------------------------------|-------------------------------------------------------------------|
// | good credentials (either TLS mode)        | (resolves: info.accepted [to], info.response "250 2.0.0 OK <ts> <session id> - gsmtp")                                   |
// | secure:true on starttlsPort               | ESOCKET   | CONN        | -            | originalCode ERR_SSL_WRONG_VERSION_NUMBER | reason "wrong version number", library "SSL routines"; < 10 ms |
// | secure:false on implicitTlsPort           | ETIMEDOUT | CONN        | -            | timeoutType GREETING_TIMEOUT        | message "Greeting never received"; after greetingTimeout (*)       |
// | password "regular-google-password"        | EAUTH     | AUTH PLAIN  | 534          | -                                   | message "Invalid login: 534-5.7.9 …\n534 5.7.9  https://…"         |
// | wrong user or password                    | EAUTH     | AUTH PLAIN (AUTH LOGIN with authMethod "LOGIN") | 535 | -            | response = both 535 lines joined by "\n"                           |
// | user m365-disabled@clinic.example         | EAUTH     | AUTH PLAIN  | 535          | -                                   | response "535 5.7.139 Authentication unsuccessful, …"             |
// | AUTH before STARTTLS (ignoreTLS: true)    | EAUTH     | AUTH PLAIN  | 538          | -                                   | response "538 Error: Must issue a STARTTLS command first"          |
// | user m365-basic@clinic.example            | EENVELOPE | MAIL FROM   | 530          | -                                   | message "Mail command failed: 530 5.7.57 Client not authenticated…" |
// | MAIL FROM limit@clinic.example            | EENVELOPE | MAIL FROM   | 550          | -                                   | response starts "550-5.4.5 Daily user sending limit exceeded."     |
// | RCPT TO nobody@clinic.example (only rcpt) | EENVELOPE | RCPT TO     | 550          | -                                   | message "Can't send mail - all recipients were rejected: 550-5.1.1 …"; err.rejected [addr], err.rejectedErrors[0] same shape |
// | message > sizeLimit                       | EMESSAGE  | DATA        | 552          | -                                   | message "Message failed: 552-5.3.4 …"                              |
// | no auth configured                        | EENVELOPE | MAIL FROM   | 530          | -                                   | response "530 Error: authentication Required"                     |
// | otherNamePort, host "localhost"           | ESOCKET   | CONN        | -            | originalCode ERR_TLS_CERT_ALTNAME_INVALID | reason "Host: localhost. is not in the cert's altnames: DNS:other.example"; message "Hostname/IP does not match certificate's altnames: " + reason; also err.host, err.cert |
// | otherNamePort, host "127.0.0.1", no servername | ESOCKET | CONN      | -            | originalCode ERR_TLS_CERT_ALTNAME_INVALID | reason "IP: 127.0.0.1 is not in the cert's list: "           |
// | untrustedPort (self-signed)               | ESOCKET   | CONN        | -            | originalCode DEPTH_ZERO_SELF_SIGNED_CERT | message "self-signed certificate"; no reason                 |
// | silentPort (never greets)                 | ETIMEDOUT | CONN        | -            | timeoutType GREETING_TIMEOUT        | message "Greeting never received"; after greetingTimeout (*)       |
// | stallPort (greets, then silence)          | ETIMEDOUT | CONN        | -            | timeoutType SOCKET_TIMEOUT          | message "Timeout"; after socketTimeout                             |
// | closedPort                                | ESOCKET   | CONN        | -            | originalCode ECONNREFUSED           | message "connect ECONNREFUSED 127.0.0.1:<port>", errno -111, syscall "connect", address, port |
//
// (*) nodemailer 10 bounds the greeting (and a STARTTLS upgrade) by min(greetingTimeout, what is left of
//     connectionTimeout). With greetingTimeout >= socketTimeout the socket's idle timer can fire first and the same
//     situation ends as SOCKET_TIMEOUT (seen with 1500/1500/1500): keep greetingTimeout < socketTimeout, or treat
//     "ETIMEDOUT + CONN before any greeting" as one case. Other timeoutTypes nodemailer has: CONNECT_TIMEOUT,
//     UPGRADE_TIMEOUT (STARTTLS handshake).
// Session logs: sendMail on a non-pooled transport never sends QUIT or RSET, it just ends the socket after the last
// reply; verify() and SMTPConnection.quit() do send QUIT. nodemailer pipelines MAIL/RCPT/DATA, so a rejected MAIL FROM
// is still followed by RCPT and DATA (both answered 503): use `dataStarted` (a 354 was sent), not "DATA in commands".
import { createHash } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from "smtp-server";
import { ensureNamedCert, ensureTestCa } from "./test-ca";

export const DEFAULT_SMTP_USER = "finance@clinic.example";
export const DEFAULT_SMTP_PASSWORD = "qwhzktrmvbnxplsd";

/** Inputs that trigger the scripted failures. */
export const SCRIPTED = {
  /** AUTH with this password (any user) → Google's 534 5.7.9 "Application-specific password required". */
  appPasswordRequiredPassword: "regular-google-password",
  /** AUTH as this user (any password) → Microsoft's 535 5.7.139 "SmtpClientAuthentication is disabled". */
  m365DisabledUser: "m365-disabled@clinic.example",
  /** AUTH as this user succeeds with any password; then MAIL FROM → Microsoft's 530 5.7.57. */
  m365BasicUser: "m365-basic@clinic.example",
  /** MAIL FROM this address → Google's 550 5.4.5 daily sending limit. */
  limitSender: "limit@clinic.example",
  /** RCPT TO this address → Google's 550 5.1.1 no such user. */
  unknownRecipient: "nobody@clinic.example",
  /** DATA to this recipient → Gmail's 550-5.7.26 (unauthenticated email). */
  gmailUnauthenticatedRecipient: "unauthenticated@gmail-receiver.example",
  /** DATA to this recipient → Outlook.com's 550 5.7.515 (domain not authenticated). */
  outlookUnauthenticatedRecipient: "unauthenticated@outlook-receiver.example",
} as const;

/** The scripted replies exactly as they go on the wire (lines joined by "\r\n"); nodemailer's err.response joins them with "\n". */
export const REPLIES = {
  appPasswordRequired: [
    "534-5.7.9 Application-specific password required. Learn more at",
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor",
  ],
  badCredentials: [
    "535-5.7.8 Username and Password not accepted. For more information, go to",
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials",
  ],
  smtpAuthDisabled: ["535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."],
  smtpAuthDisabledMailbox: [
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
  ],
  oauthRejected: ["535 5.7.3 Authentication unsuccessful"],
  clientNotAuthenticated: ["530 5.7.57 Client not authenticated to send mail."],
  dailyLimit: [
    "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail",
    "550-5.4.5 sending limits go to",
    "550 5.4.5  https://support.google.com/a/answer/166852",
  ],
  noSuchUser: [
    "550-5.1.1 The email account that you tried to reach does not exist. Please try",
    "550-5.1.1 double-checking the recipient's email address for typos or",
    "550-5.1.1 unnecessary spaces. For more information, go to",
    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser",
  ],
  /** Gmail's answer after DATA to a message whose From domain fails SPF, DKIM and DMARC. */
  gmailUnauthenticated: [
    "550-5.7.26 Unauthenticated email from clinic.example is not accepted due to domain's",
    "550-5.7.26 DMARC policy, but temporary exemptions may apply. Please contact the",
    "550-5.7.26 administrator of clinic.example domain if this was a legitimate mail.",
    "550 5.7.26  https://support.google.com/mail/answer/2451690",
  ],
  /** Outlook.com's answer to a high-volume sender whose domain is not authenticated. */
  outlookUnauthenticated: [
    "550 5.7.515 Access denied, sending domain clinic.example doesn't meet the required authentication level.",
  ],
  messageTooBig: [
    "552-5.3.4 Your message exceeded Google's message size limits. For more information, go to",
    "552 5.3.4  https://support.google.com/mail/?p=MaxSizeError",
  ],
} as const satisfies Record<string, readonly string[]>;

export type TestSmtpListener = "starttls" | "implicitTls" | "otherName" | "untrusted";

export interface TestSmtpMessage {
  sessionId: string;
  envelopeFrom: string;
  envelopeTo: string[];
  /** The message as received (CRLF line ends, dot-unstuffed). */
  raw: string;
  /** Header values, unfolded; RFC 2047 encoded-words decoded. "" when the header is missing. */
  subject: string;
  from: string;
  to: string;
}

export interface TestSmtpSession {
  id: string;
  listener: TestSmtpListener;
  /** The address the client connected to (one of starttlsHosts, or 127.0.0.1). */
  host: string;
  /**
   * Verbs in the order received, e.g. ["EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "DATA", "QUIT"].
   * AUTH carries its mechanism; credentials and AUTH LOGIN continuation lines are never recorded.
   */
  commands: string[];
  /** Every reply code sent, in order (the greeting's 220 first). */
  replies: number[];
  /** The authenticated user name, once AUTH succeeded. */
  user?: string;
  /** A DATA command got as far as the 354 go-ahead (a message body was transferred). */
  dataStarted: boolean;
  /** TLS was active at the end (implicit or after STARTTLS). */
  secure: boolean;
  closed: boolean;
}

/** Connections to one address at once: from accept to close, and from accept to the client's QUIT. */
export interface TestSmtpHostLoad {
  open: number;
  peakOpen: number;
  beforeQuit: number;
  peakBeforeQuit: number;
  /** Connections accepted since the last reset. */
  connections: number;
}

export interface TestSmtpLoad {
  byHost: Map<string, TestSmtpHostLoad>;
  /** The most connections open at once over all addresses since the last reset. */
  peakOpen: number;
}

export interface TestSmtpServer {
  host: "127.0.0.1";
  /** The STARTTLS listener's addresses, all on starttlsPort. */
  starttlsHosts: string[];
  /** The CA that signed server.pem (and other.pem); NODE_EXTRA_CA_CERTS should point here in vitest workers. */
  caFile: string;
  user: string;
  password: string;
  starttlsPort: number;
  implicitTlsPort: number;
  otherNamePort: number;
  untrustedPort: number;
  silentPort: number;
  stallPort: number;
  closedPort: number;
  /** Connections open now on silentPort (each a client waiting for a greeting that never comes). */
  silentOpen(): number;
  messages: TestSmtpMessage[];
  sessions: TestSmtpSession[];
  load: TestSmtpLoad;
  /** Resolves once every SMTP session so far has closed (rejects after timeoutMs). */
  waitForSessionsClosed(timeoutMs?: number): Promise<void>;
  /** Forgets recorded messages and sessions; the load's peaks start again from the connections open now. */
  reset(): void;
  /**
   * As when the provider revokes the account's password (a Google password change revoking the app password): while
   * revoked, AUTH with the right user and password gets the same 535 as a wrong password. false puts it back.
   */
  setRevoked(revoked: boolean): void;
  /** Closes every listener and connection at once. */
  close(): Promise<void>;
}

export interface StartTestSmtpServerOptions {
  user?: string;
  password?: string;
  /** Maximum message size in bytes (advertised as SIZE, enforced at end of DATA with a 552). */
  sizeLimit?: number;
  /**
   * Accept AUTH XOAUTH2 with an access token this function accepts (the OpenID test provider's verifyAccessToken),
   * for the user the token was issued to, as Microsoft and Google do. Without it XOAUTH2 is not offered.
   */
  verifyAccessToken?: (
    token: string,
  ) => Promise<{ ok: true; email: string; scope: string } | { ok: false; reason: string }>;
  /** Mailboxes whose SMTP AUTH is switched off: XOAUTH2 for them answers Microsoft's 535 5.7.139. */
  smtpAuthDisabledFor?: readonly string[];
  /**
   * Hold every reply this long after the command it answers, as a slow provider does. The greeting comes this long
   * after the connection, but never sooner than smtp-server's own 100 ms pause (its early-talker check).
   */
  replyDelayMs?: number;
  /**
   * Loopback addresses for the STARTTLS listener, all on one port (default ["127.0.0.1"]; on Linux every 127.x address
   * is loopback). Any other than 127.0.0.1 gets a test-CA certificate naming localhost and every address.
   */
  starttlsHosts?: readonly string[];
  /** AUTH PLAIN/LOGIN succeeds for any user name with `password` (scripted users keep their scripts): many accounts, one server. */
  anyUser?: boolean;
}

type AuthCallback = (err: Error | null | undefined, response?: { user?: unknown }) => void;
type PlainCallback = (err?: Error | null, message?: string) => void;

/** The parts of smtp-server's connection object the command log hooks into (not in its public types). */
interface ConnectionInternals {
  id: string;
  secure: boolean;
  _nextHandler: unknown;
  _upgrading: boolean;
  _onCommand(command: Buffer, callback?: () => void): unknown;
  send(code: number, data?: unknown, context?: unknown): void;
  close(): void;
}

/**
 * An error whose reply smtp-server sends as-is. smtp-server writes `err.message` after `err.responseCode`, replacing
 * control characters (so "\n" cannot split it); when the message is an array it sends one line per element, the code
 * followed by "-" on every line but the last. Enhanced status codes are hidden on the server (the default), so the
 * "5.x.x" is part of the text here, as it is on the wire at Google and Microsoft.
 */
function replyError(lines: readonly string[]): Error {
  const code = Number(lines[0].slice(0, 3));
  const texts = lines.map((line) => line.slice(4));
  const err = Object.assign(new Error(texts.join("\n")), { responseCode: code });
  if (texts.length > 1)
    Object.defineProperty(err, "message", { value: texts, enumerable: false, writable: true, configurable: true });
  return err;
}

function sameAddress(a: string | undefined, b: string): boolean {
  return (a ?? "").trim().toLowerCase() === b.toLowerCase();
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?]+\?[BbQq]\?[^?]*\?=)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (whole, charset: string, enc: string, text: string) => {
      try {
        const bytes =
          enc.toUpperCase() === "B"
            ? Buffer.from(text, "base64")
            : Buffer.from(
                text
                  .replace(/_/g, " ")
                  .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
                "latin1",
              );
        return new TextDecoder(charset.split("*")[0].toLowerCase()).decode(bytes);
      } catch {
        return whole;
      }
    });
}

function headerValue(raw: string, name: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ":"));
  return line ? decodeEncodedWords(line.slice(name.length + 1).trim()) : "";
}

/** smtp-server holds every greeting this long (its early-talker check), whatever replyDelayMs says. */
const GREETING_PAUSE_MS = 100;

async function listen(server: net.Server, host = "127.0.0.1", port = 0): Promise<number> {
  server.listen({ host, port });
  await once(server, "listening");
  return (server.address() as net.AddressInfo).port;
}

/** Every server on its own address and one shared port: the first picks a free port, the others take the same. */
async function listenOnOnePort(servers: net.Server[], hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = await listen(servers[0], hosts[0]);
    try {
      for (let i = 1; i < servers.length; i++) await listen(servers[i], hosts[i], port);
      return port;
    } catch (err) {
      // Another process took the port on one of the other addresses meanwhile: start again on a new port.
      await Promise.all(servers.filter((s) => s.listening).map((s) => new Promise((resolve) => s.close(resolve))));
      if (attempt >= 5) throw err;
    }
  }
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The STARTTLS listener's certificate: server.pem for 127.0.0.1 alone, else one naming localhost and every address. */
function starttlsCertificate(hosts: readonly string[]): { cert: string; key: string } {
  if (hosts.length === 1 && hosts[0] === "127.0.0.1") {
    const ca = ensureTestCa();
    return { cert: ca.serverCert, key: ca.serverKey };
  }
  const names = ["localhost", ...hosts];
  return ensureNamedCert(names, `hosts-${createHash("sha256").update(names.join(",")).digest("hex").slice(0, 12)}`);
}

export async function startTestSmtpServer(opts: StartTestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const ca = ensureTestCa();
  const user = opts.user ?? DEFAULT_SMTP_USER;
  const password = opts.password ?? DEFAULT_SMTP_PASSWORD;
  const delayMs = opts.replyDelayMs ?? 0;
  const starttlsHosts = [...(opts.starttlsHosts ?? ["127.0.0.1"])];
  const messages: TestSmtpMessage[] = [];
  const sessions: TestSmtpSession[] = [];
  const byId = new Map<string, TestSmtpSession>();
  const closeWaiters = new Set<() => void>();
  let revoked = false;

  // Counted from the accepted socket, so a connection still in smtp-server's greeting pause counts too.
  const load: TestSmtpLoad = { byHost: new Map(), peakOpen: 0 };
  let openAll = 0;
  const connections = new Map<string, { load: TestSmtpHostLoad; quit: boolean }>();
  const connectionKey = (local: string, localPort: number, remote: string, remotePort: number) =>
    `${local}:${localPort} ${remote}:${remotePort}`;
  const countConnection = (socket: net.Socket) => {
    const host = socket.localAddress ?? "";
    const key = connectionKey(host, socket.localPort ?? 0, socket.remoteAddress ?? "", socket.remotePort ?? 0);
    let counts = load.byHost.get(host);
    if (!counts)
      load.byHost.set(host, (counts = { open: 0, peakOpen: 0, beforeQuit: 0, peakBeforeQuit: 0, connections: 0 }));
    connections.set(key, { load: counts, quit: false });
    counts.connections++;
    counts.peakOpen = Math.max(counts.peakOpen, ++counts.open);
    counts.peakBeforeQuit = Math.max(counts.peakBeforeQuit, ++counts.beforeQuit);
    load.peakOpen = Math.max(load.peakOpen, ++openAll);
    socket.once("close", () => countClosed(key));
  };
  const countQuit = (key: string) => {
    const connection = connections.get(key);
    if (!connection || connection.quit) return;
    connection.quit = true;
    connection.load.beforeQuit--;
  };
  // At the session's close (so the counts agree with waitForSessionsClosed) or the socket's, whichever comes first.
  const countClosed = (key: string) => {
    const connection = connections.get(key);
    if (!connection) return;
    countQuit(key);
    connections.delete(key);
    connection.load.open--;
    openAll--;
  };

  const notifyClosed = () => {
    if (sessions.every((s) => s.closed)) for (const wake of [...closeWaiters]) wake();
  };

  function createSmtp(listener: TestSmtpListener, certFile: string, keyFile: string, secure: boolean): SMTPServer {
    const server: SMTPServer = new SMTPServer({
      secure,
      name: "localhost",
      key: fs.readFileSync(keyFile),
      cert: fs.readFileSync(certFile),
      authMethods: opts.verifyAccessToken ? ["PLAIN", "LOGIN", "XOAUTH2"] : ["PLAIN", "LOGIN"],
      authOptional: false,
      // Nothing unusual on purpose: AUTH only after STARTTLS (smtp-server's default, and what Gmail/Office 365 do).
      allowInsecureAuth: false,
      size: opts.sizeLimit,
      disableReverseLookup: true,
      logger: false,
      socketTimeout: 30_000,
      closeTimeout: 100,

      onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void) {
        const record: TestSmtpSession = {
          id: session.id,
          listener,
          host: session.localAddress,
          commands: [],
          replies: [],
          dataStarted: false,
          secure,
          closed: false,
        };
        const key = connectionKey(session.localAddress, session.localPort, session.remoteAddress, session.remotePort);
        sessions.push(record);
        byId.set(session.id, record);
        const conn = [...server.connections].find(
          (c) => (c as unknown as ConnectionInternals).id === session.id,
        ) as unknown as ConnectionInternals | undefined;
        if (conn) {
          const onCommand = conn._onCommand.bind(conn);
          conn._onCommand = function (command: Buffer, cb?: () => void) {
            // _nextHandler is set while an AUTH exchange waits for a continuation line (credentials): skip those.
            if (!conn._nextHandler && !conn._upgrading) {
              const words = (command || Buffer.alloc(0)).toString("utf8").trim().split(/\s+/);
              const verb = (words[0] ?? "").toUpperCase();
              if (/^[A-Z]{1,12}$/.test(verb))
                record.commands.push(verb === "AUTH" ? `AUTH ${(words[1] ?? "").toUpperCase()}`.trim() : verb);
              if (verb === "QUIT") countQuit(key);
            }
            if (delayMs === 0) return onCommand(command, cb);
            // smtp-server reads the next line only once this one's callback has run: every reply waits its turn.
            setTimeout(() => onCommand(command, cb), delayMs);
          };
          const send = conn.send.bind(conn);
          conn.send = function (code: number, data?: unknown, context?: unknown) {
            record.replies.push(code);
            if (code === 354) record.dataStarted = true;
            return send(code, data, context);
          };
        }
        if (delayMs > GREETING_PAUSE_MS) setTimeout(callback, delayMs - GREETING_PAUSE_MS);
        else callback();
      },

      onSecure(_socket, _session, callback) {
        record(_session).secure = true;
        callback();
      },

      onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback: AuthCallback) {
        const name = auth.username ?? "";
        if (auth.method === "XOAUTH2") {
          const verify = opts.verifyAccessToken;
          if (!verify) return callback(replyError(REPLIES.oauthRejected));
          void verify(auth.accessToken ?? "").then(
            (result) => {
              if (
                !result.ok ||
                !sameAddress(name, result.email) ||
                !/SMTP\.Send|mail\.google\.com/.test(result.scope)
              ) {
                return callback(replyError(REPLIES.oauthRejected));
              }
              if ((opts.smtpAuthDisabledFor ?? []).some((m) => sameAddress(name, m)))
                return callback(replyError(REPLIES.smtpAuthDisabledMailbox));
              record(_session).user = name;
              callback(null, { user: name });
            },
            () => callback(replyError(REPLIES.oauthRejected)),
          );
          return;
        }
        if (sameAddress(name, SCRIPTED.m365DisabledUser)) return callback(replyError(REPLIES.smtpAuthDisabled));
        if (sameAddress(name, SCRIPTED.m365BasicUser)) {
          record(_session).user = name;
          return callback(null, { user: name });
        }
        if (auth.password === SCRIPTED.appPasswordRequiredPassword)
          return callback(replyError(REPLIES.appPasswordRequired));
        if ((name === user || opts.anyUser) && auth.password === password && !revoked) {
          record(_session).user = name;
          return callback(null, { user: name });
        }
        return callback(replyError(REPLIES.badCredentials));
      },

      onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
        if (sameAddress(session.user as string | undefined, SCRIPTED.m365BasicUser))
          return callback(replyError(REPLIES.clientNotAuthenticated));
        if (sameAddress(address.address, SCRIPTED.limitSender)) return callback(replyError(REPLIES.dailyLimit));
        callback();
      },

      onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
        if (sameAddress(address.address, SCRIPTED.unknownRecipient)) return callback(replyError(REPLIES.noSuchUser));
        callback();
      },

      onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: PlainCallback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => {
          if (!stream.sizeExceeded) chunks.push(chunk);
        });
        stream.on("end", () => {
          if (stream.sizeExceeded) return callback(replyError(REPLIES.messageTooBig));
          const to = session.envelope.rcptTo.map((r) => r.address);
          if (to.some((a) => sameAddress(a, SCRIPTED.gmailUnauthenticatedRecipient)))
            return callback(replyError(REPLIES.gmailUnauthenticated));
          if (to.some((a) => sameAddress(a, SCRIPTED.outlookUnauthenticatedRecipient)))
            return callback(replyError(REPLIES.outlookUnauthenticated));
          const raw = Buffer.concat(chunks).toString("utf8");
          const envelope = session.envelope;
          messages.push({
            sessionId: session.id,
            envelopeFrom: envelope.mailFrom ? envelope.mailFrom.address : "",
            envelopeTo: envelope.rcptTo.map((r) => r.address),
            raw,
            subject: headerValue(raw, "Subject"),
            from: headerValue(raw, "From"),
            to: headerValue(raw, "To"),
          });
          callback(null, `2.0.0 OK ${Math.floor(Date.now() / 1000)} ${session.id} - gsmtp`);
        });
      },

      onClose(session: SMTPServerSession) {
        const rec = byId.get(session.id);
        if (rec) rec.closed = true;
        countClosed(connectionKey(session.localAddress, session.localPort, session.remoteAddress, session.remotePort));
        notifyClosed();
      },
    });
    // A client that vanishes mid-handshake (the TLS-error scenarios) makes smtp-server emit 'error': expected here.
    server.on("error", () => {});
    server.server.on("connection", countConnection);
    return server;
  }

  function record(session: SMTPServerSession): TestSmtpSession {
    return byId.get(session.id) ?? ({} as TestSmtpSession);
  }

  // Plain TCP listeners: one silent, one that greets and then stalls.
  const rawSockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    rawSockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => rawSockets.delete(socket));
  };
  const silentSockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    track(socket);
    silentSockets.add(socket);
    socket.on("close", () => silentSockets.delete(socket));
  });
  const stall = net.createServer((socket) => {
    track(socket);
    socket.write("220 localhost ESMTP ready\r\n");
    socket.resume(); // read and ignore whatever the client says
  });

  const starttlsCert = starttlsCertificate(starttlsHosts);
  const starttls = starttlsHosts.map(() => createSmtp("starttls", starttlsCert.cert, starttlsCert.key, false));
  const implicitTls = createSmtp("implicitTls", ca.serverCert, ca.serverKey, true);
  const otherName = createSmtp("otherName", ca.otherCert, ca.otherKey, true);
  const untrusted = createSmtp("untrusted", ca.untrustedCert, ca.untrustedKey, true);
  const smtpServers = [...starttls, implicitTls, otherName, untrusted];

  const [starttlsPort, implicitTlsPort, otherNamePort, untrustedPort, silentPort, stallPort, closedPort] =
    await Promise.all([
      listenOnOnePort(
        starttls.map((smtp) => smtp.server),
        starttlsHosts,
      ),
      listen(implicitTls.server),
      listen(otherName.server),
      listen(untrusted.server),
      listen(silent),
      listen(stall),
      freePort(),
    ]);

  let closed: Promise<void> | undefined;

  return {
    host: "127.0.0.1",
    starttlsHosts,
    caFile: ca.caFile,
    user,
    password,
    starttlsPort,
    implicitTlsPort,
    otherNamePort,
    untrustedPort,
    silentPort,
    stallPort,
    closedPort,
    silentOpen: () => silentSockets.size,
    messages,
    sessions,
    load,

    waitForSessionsClosed(timeoutMs = 2000) {
      if (sessions.every((s) => s.closed)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          clearTimeout(timer);
          closeWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          closeWaiters.delete(wake);
          reject(
            new Error(
              `SMTP sessions still open after ${timeoutMs} ms: ${sessions
                .filter((s) => !s.closed)
                .map((s) => `${s.listener} [${s.commands.join(" ")}]`)
                .join(", ")}`,
            ),
          );
        }, timeoutMs);
        closeWaiters.add(wake);
      });
    },

    setRevoked(value) {
      revoked = value;
    },

    reset() {
      messages.length = 0;
      sessions.length = 0;
      byId.clear();
      for (const counts of load.byHost.values()) {
        counts.peakOpen = counts.open;
        counts.peakBeforeQuit = counts.beforeQuit;
        counts.connections = 0;
      }
      load.peakOpen = openAll;
    },

    close() {
      closed ??= (async () => {
        const waits: Promise<unknown>[] = [];
        for (const smtp of smtpServers) {
          waits.push(new Promise<void>((resolve) => smtp.close(() => resolve())));
          // smtp.close() lets sessions finish for closeTimeout; end them now instead.
          for (const conn of smtp.connections) (conn as unknown as ConnectionInternals).close();
        }
        for (const server of [silent, stall]) {
          waits.push(new Promise<void>((resolve) => server.close(() => resolve())));
        }
        for (const socket of rawSockets) socket.destroy();
        await Promise.all(waits);
      })();
      return closed;
    },
  };
}
