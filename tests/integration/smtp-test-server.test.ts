// Drives the SMTP fixture (stand-ins/smtp-test-server.ts) with nodemailer exactly as the app does, and pins the
// error shapes nodemailer 10.6.1 really produces for every scenario. The table at the top of the fixture mirrors this.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { pathToFileURL } from "node:url";
import nodemailer from "nodemailer";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  REPLIES,
  SCRIPTED,
  startTestSmtpServer,
  type TestSmtpServer,
  type TestSmtpSession,
} from "../../stand-ins/smtp-test-server";
import { DEFAULT_TEST_CA_DIR, ensureTestCa } from "../../stand-ins/test-ca";

// Short, and greetingTimeout < socketTimeout on purpose: with equal values a server that never greets can end as
// either GREETING_TIMEOUT or SOCKET_TIMEOUT, whichever timer Node fires first (seen with 1500/1500/1500).
const TIMEOUTS = { connectionTimeout: 1000, greetingTimeout: 1000, socketTimeout: 1500 };

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  originalCode?: string;
  timeoutType?: string;
  reason?: string;
  permanent?: boolean;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
}

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startTestSmtpServer({ sizeLimit: 4096 });
});

afterAll(async () => {
  await smtp?.close();
});

type TransportOptions = {
  host?: string;
  port: number;
  secure?: boolean;
  user?: string;
  pass?: string;
  noAuth?: boolean;
  tls?: tls.ConnectionOptions;
  authMethod?: string;
  ignoreTLS?: boolean;
};
type MailOptions = { from?: string; to?: string; subject?: string; text?: string };

/** createTransport + sendMail the way lib/smtp's test-send does it; resolves with the outcome instead of throwing. */
/** The fields nodemailer sets on an error that comes from an SMTP reply. */
const smtpReply = (code: string, responseCode: number, command: string, response: string) => ({
  code,
  responseCode,
  command,
  response,
});

async function send(t: TransportOptions, mail: MailOptions = {}) {
  const transport = nodemailer.createTransport({
    host: t.host ?? "localhost",
    port: t.port,
    secure: t.secure ?? false,
    auth: t.noAuth ? undefined : { user: t.user ?? smtp.user, pass: t.pass ?? smtp.password },
    authMethod: t.authMethod,
    ignoreTLS: t.ignoreTLS,
    tls: { servername: "localhost", ...t.tls },
    ...TIMEOUTS,
  });
  const started = Date.now();
  try {
    const info = await transport.sendMail({
      from: mail.from ?? smtp.user,
      to: mail.to ?? "accounts@payee.example",
      subject: mail.subject ?? "Test message from Finance Email Setup",
      text: mail.text ?? "This is a test.",
    });
    return { info, err: undefined, ms: Date.now() - started };
  } catch (e) {
    return { info: undefined, err: e as SmtpError, ms: Date.now() - started };
  } finally {
    transport.close();
  }
}

/** Runs `fn`, then returns the SMTP sessions it opened once they have all closed. */
async function sessionsOf<T>(fn: () => Promise<T>): Promise<{ result: T; sessions: TestSmtpSession[] }> {
  const before = smtp.sessions.length;
  const result = await fn();
  await smtp.waitForSessionsClosed();
  return { result, sessions: smtp.sessions.slice(before) };
}

describe("test CA and worker trust", () => {
  it("globalSetup made forked workers trust the test CA (default rejectUnauthorized)", async () => {
    expect(process.env.NODE_EXTRA_CA_CERTS).toBe(smtp.caFile);
    const socket = tls.connect({ host: "127.0.0.1", port: smtp.implicitTlsPort, servername: "localhost" });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("secureConnect", resolve);
        socket.once("error", reject);
      });
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().subjectaltname).toBe("DNS:localhost, IP Address:127.0.0.1");
    } finally {
      socket.destroy();
    }
  });

  it("ensureTestCa reuses existing files and survives concurrent first runs in separate processes", async () => {
    const again = ensureTestCa();
    expect(again.caFile).toBe(path.join(DEFAULT_TEST_CA_DIR, "ca.pem"));
    expect(again.caFile).toBe(smtp.caFile);

    const root = fs.mkdtempSync(path.join(os.tmpdir(), "smtp-ca-race-"));
    const dir = path.join(root, "ca");
    const helper = pathToFileURL(path.resolve(import.meta.dirname, "../../stand-ins/test-ca.ts")).href;
    // tsx compiles the helper as CommonJS here (the package is not "type": "module"): its exports sit on `default`.
    const script = `import fs from "node:fs"; const mod = await import(${JSON.stringify(helper)});
      const { ensureTestCa } = mod.ensureTestCa ? mod : mod.default;
      process.stdout.write(fs.readFileSync(ensureTestCa(${JSON.stringify(dir)}).caFile, "utf8"));`;
    try {
      const runs = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
              const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
                env: { ...process.env, NODE_OPTIONS: "" },
              });
              let out = "";
              let err = "";
              child.stdout.on("data", (d) => (out += d));
              child.stderr.on("data", (d) => (err += d));
              child.on("close", (code) => resolve({ code, out, err }));
            }),
        ),
      );
      for (const run of runs) expect(run, run.err).toMatchObject({ code: 0 });
      expect(new Set(runs.map((r) => r.out)).size).toBe(1);
      expect(runs[0].out).toBe(fs.readFileSync(path.join(dir, "ca.pem"), "utf8"));
      expect(fs.readdirSync(root)).toEqual(["ca"]); // no temporary directories left behind
      expect(fs.readdirSync(dir).sort()).toEqual([
        "ca-key.pem",
        "ca.pem",
        "other-key.pem",
        "other.pem",
        "server-key.pem",
        "server.pem",
        "untrusted-key.pem",
        "untrusted.pem",
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("successful sends", () => {
  it("STARTTLS port: sends, records envelope and headers, session went through STARTTLS then AUTH", async () => {
    const { result, sessions } = await sessionsOf(() =>
      send({ port: smtp.starttlsPort }, { subject: "Réglage — test" }),
    );
    expect(result.err).toBeUndefined();
    expect(result.info?.accepted).toEqual(["accounts@payee.example"]);
    expect(result.info?.response).toMatch(/^250 2\.0\.0 OK /);
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session).toMatchObject({
      listener: "starttls",
      secure: true,
      user: smtp.user,
      dataStarted: true,
      closed: true,
    });
    // sendMail on a non-pooled transport ends the socket after the 250: no QUIT.
    expect(session.commands).toEqual(["EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "DATA"]);
    const message = smtp.messages.find((m) => m.sessionId === session.id);
    expect(message).toMatchObject({
      envelopeFrom: smtp.user,
      envelopeTo: ["accounts@payee.example"],
      subject: "Réglage — test",
      from: smtp.user,
      to: "accounts@payee.example",
    });
    expect(message?.raw).toContain("This is a test.");
  });

  it("implicit TLS port, host 127.0.0.1 (the cert has IP:127.0.0.1 too), AUTH LOGIN", async () => {
    const { result, sessions } = await sessionsOf(() =>
      send({ host: "127.0.0.1", port: smtp.implicitTlsPort, secure: true, authMethod: "LOGIN" }),
    );
    expect(result.err).toBeUndefined();
    expect(result.info?.accepted).toEqual(["accounts@payee.example"]);
    expect(sessions[0].commands).toEqual(["EHLO", "AUTH LOGIN", "MAIL", "RCPT", "DATA"]);
  });

  it("SMTPConnection directly: connect, login, send, quit (QUIT is recorded)", async () => {
    const { result, sessions } = await sessionsOf(async () => {
      const connection = new SMTPConnection({
        host: "localhost",
        port: smtp.starttlsPort,
        secure: false,
        requireTLS: true,
        ...TIMEOUTS,
      });
      await new Promise<void>((resolve, reject) => {
        connection.once("error", reject);
        connection.connect(() => resolve());
      });
      await new Promise<void>((resolve, reject) =>
        connection.login({ user: smtp.user, pass: smtp.password }, (err) => (err ? reject(err) : resolve())),
      );
      const info = await new Promise<unknown>((resolve, reject) =>
        connection.send(
          { from: smtp.user, to: ["accounts@payee.example"] },
          "Subject: direct\r\n\r\nhello\r\n",
          (err, i) => (err ? reject(err) : resolve(i)),
        ),
      );
      const ended = new Promise((resolve) => connection.once("end", resolve));
      connection.quit();
      await ended;
      return info;
    });
    expect(result).toMatchObject({ accepted: ["accounts@payee.example"], rejected: [] });
    expect(sessions[0].commands).toEqual(["EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "DATA", "QUIT"]);
    expect(smtp.messages.at(-1)?.subject).toBe("direct");
  });

  it("verify(): authenticates and QUITs without MAIL or DATA", async () => {
    const transport = nodemailer.createTransport({
      host: "localhost",
      port: smtp.starttlsPort,
      auth: { user: smtp.user, pass: smtp.password },
      ...TIMEOUTS,
    });
    const { result, sessions } = await sessionsOf(() => transport.verify());
    expect(result).toBe(true);
    expect(sessions[0].commands).toEqual(["EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "QUIT"]);
    expect(sessions[0].dataStarted).toBe(false);
  });
});

describe("scripted SMTP replies", () => {
  it("534 5.7.9 application-specific password required (two lines)", async () => {
    const { err, ms } = await send({ port: smtp.starttlsPort, pass: SCRIPTED.appPasswordRequiredPassword });
    expect(err).toMatchObject({
      code: "EAUTH",
      responseCode: 534,
      command: "AUTH PLAIN",
      permanent: true,
      response: REPLIES.appPasswordRequired.join("\n"),
    });
    expect(err?.message).toBe("Invalid login: " + REPLIES.appPasswordRequired.join("\n"));
    expect(ms).toBeLessThan(TIMEOUTS.greetingTimeout);
  });

  it("535 5.7.8 bad credentials: response holds both lines; same with AUTH LOGIN", async () => {
    const plain = await send({ port: smtp.starttlsPort, pass: "wrong-password" });
    expect(plain.err).toMatchObject(smtpReply("EAUTH", 535, "AUTH PLAIN", REPLIES.badCredentials.join("\n")));
    expect(plain.err?.response).toBe(
      "535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials",
    );
    const wrongUser = await send({
      port: smtp.implicitTlsPort,
      secure: true,
      user: "someone@clinic.example",
      authMethod: "LOGIN",
    });
    expect(wrongUser.err).toMatchObject(smtpReply("EAUTH", 535, "AUTH LOGIN", REPLIES.badCredentials.join("\n")));
  });

  it("535 5.7.139 SMTP AUTH disabled for the tenant (Microsoft, one line)", async () => {
    const { err } = await send({ port: smtp.starttlsPort, user: SCRIPTED.m365DisabledUser, pass: "anything" });
    expect(err).toMatchObject(
      smtpReply(
        "EAUTH",
        535,
        "AUTH PLAIN",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
      ),
    );
  });

  it("530 5.7.57 on MAIL FROM after a successful AUTH (Microsoft)", async () => {
    const { result, sessions } = await sessionsOf(() =>
      send({ port: smtp.starttlsPort, user: SCRIPTED.m365BasicUser, pass: "anything" }),
    );
    expect(result.err).toMatchObject(
      smtpReply("EENVELOPE", 530, "MAIL FROM", "530 5.7.57 Client not authenticated to send mail."),
    );
    expect(result.err?.message).toBe("Mail command failed: 530 5.7.57 Client not authenticated to send mail.");
    // nodemailer pipelines MAIL, RCPT and DATA: RCPT and DATA are sent anyway and get 503s, but no message is transferred.
    expect(sessions[0]).toMatchObject({ user: SCRIPTED.m365BasicUser, dataStarted: false });
    expect(sessions[0].commands).toEqual(["EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "DATA"]);
    expect(sessions[0].replies.slice(-3)).toEqual([530, 503, 503]);
  });

  it("550 5.4.5 daily sending limit on MAIL FROM", async () => {
    const count = smtp.messages.length;
    const { err } = await send({ port: smtp.starttlsPort }, { from: SCRIPTED.limitSender });
    expect(err).toMatchObject(smtpReply("EENVELOPE", 550, "MAIL FROM", REPLIES.dailyLimit.join("\n")));
    expect(err?.response).toMatch(/^550-5\.4\.5 Daily user sending limit exceeded\./);
    expect(smtp.messages.length).toBe(count);
  });

  it("550 5.1.1 unknown recipient on RCPT TO", async () => {
    const { err } = await send({ port: smtp.starttlsPort }, { to: SCRIPTED.unknownRecipient });
    expect(err).toMatchObject({
      code: "EENVELOPE",
      responseCode: 550,
      command: "RCPT TO",
      response: REPLIES.noSuchUser.join("\n"),
      rejected: [SCRIPTED.unknownRecipient],
    });
    expect(err?.message).toMatch(
      /^Can't send mail - all recipients were rejected: 550-5\.1\.1 The email account that you tried to reach does not exist\./,
    );
    expect(err?.rejectedErrors?.[0]).toMatchObject({ code: "EENVELOPE", responseCode: 550, command: "RCPT TO" });
  });

  it("552 5.3.4 message over the size limit, at the end of DATA", async () => {
    const { result, sessions } = await sessionsOf(() =>
      send({ port: smtp.starttlsPort }, { text: "x".repeat(10_000) }),
    );
    expect(result.err).toMatchObject(smtpReply("EMESSAGE", 552, "DATA", REPLIES.messageTooBig.join("\n")));
    expect(result.err?.message).toMatch(/^Message failed: 552-5\.3\.4 /);
    expect(sessions[0].dataStarted).toBe(true);
  });

  it("538 when AUTH is tried before STARTTLS (ignoreTLS on the STARTTLS port)", async () => {
    const { err } = await send({ port: smtp.starttlsPort, ignoreTLS: true });
    expect(err).toMatchObject(smtpReply("EAUTH", 538, "AUTH PLAIN", "538 Error: Must issue a STARTTLS command first"));
  });

  it("530 when sending without AUTH", async () => {
    const { err } = await send({ port: smtp.starttlsPort, noAuth: true });
    expect(err).toMatchObject(smtpReply("EENVELOPE", 530, "MAIL FROM", "530 Error: authentication Required"));
  });
});

describe("TLS and connection failures", () => {
  it("secure:true on the STARTTLS port → ESOCKET wrong version number, at once", async () => {
    const { err, ms } = await send({ port: smtp.starttlsPort, secure: true });
    expect(err).toMatchObject({
      code: "ESOCKET",
      originalCode: "ERR_SSL_WRONG_VERSION_NUMBER",
      command: "CONN",
      reason: "wrong version number",
    });
    expect(err?.responseCode).toBeUndefined();
    expect(ms).toBeLessThan(TIMEOUTS.greetingTimeout); // no timer involved
  });

  it("certificate for another name → ESOCKET ERR_TLS_CERT_ALTNAME_INVALID", async () => {
    const byName = await send({ port: smtp.otherNamePort, secure: true });
    expect(byName.err).toMatchObject({
      code: "ESOCKET",
      originalCode: "ERR_TLS_CERT_ALTNAME_INVALID",
      command: "CONN",
      reason: "Host: localhost. is not in the cert's altnames: DNS:other.example",
    });
    expect(byName.err?.message).toBe(
      "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:other.example",
    );
    // By IP without a servername the check is against the IP.
    const byIp = await send({
      host: "127.0.0.1",
      port: smtp.otherNamePort,
      secure: true,
      tls: { servername: undefined },
    });
    expect(byIp.err).toMatchObject({
      code: "ESOCKET",
      originalCode: "ERR_TLS_CERT_ALTNAME_INVALID",
      command: "CONN",
      reason: "IP: 127.0.0.1 is not in the cert's list: ",
    });
  });

  it("self-signed certificate → ESOCKET DEPTH_ZERO_SELF_SIGNED_CERT", async () => {
    const { err } = await send({ port: smtp.untrustedPort, secure: true });
    // Node 24 adds a hint after the reason ("; if the root CA is installed locally, try running Node.js with --use-system-ca").
    expect(err).toMatchObject({
      code: "ESOCKET",
      originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT",
      command: "CONN",
      message: expect.stringMatching(/^self-signed certificate\b/) as unknown,
    });
  });

  it("connection refused → ESOCKET ECONNREFUSED", async () => {
    const { err, ms } = await send({ host: "127.0.0.1", port: smtp.closedPort });
    expect(err).toMatchObject({ code: "ESOCKET", originalCode: "ECONNREFUSED", command: "CONN", syscall: "connect" });
    expect(err?.message).toBe(`connect ECONNREFUSED 127.0.0.1:${smtp.closedPort}`);
    expect(ms).toBeLessThan(TIMEOUTS.greetingTimeout);
  });
});

// The slow ones (each waits for a timeout) run side by side.
describe.concurrent("timeouts", () => {
  it.each([
    {
      name: "secure:false on the implicit-TLS port → ETIMEDOUT GREETING_TIMEOUT",
      options: () => ({ port: smtp.implicitTlsPort, secure: false }),
      timeoutType: "GREETING_TIMEOUT",
      message: "Greeting never received",
      waitsAtLeast: TIMEOUTS.greetingTimeout,
    },
    {
      name: "silent server (accepts TCP, never greets) → ETIMEDOUT GREETING_TIMEOUT",
      options: () => ({ port: smtp.silentPort }),
      timeoutType: "GREETING_TIMEOUT",
      message: "Greeting never received",
      waitsAtLeast: TIMEOUTS.greetingTimeout,
    },
    {
      name: "server greets then stalls → ETIMEDOUT SOCKET_TIMEOUT",
      options: () => ({ port: smtp.stallPort }),
      timeoutType: "SOCKET_TIMEOUT",
      message: "Timeout",
      waitsAtLeast: TIMEOUTS.socketTimeout,
    },
  ])("$name", async ({ options, timeoutType, message, waitsAtLeast }) => {
    const { err, ms } = await send(options());
    expect(err).toMatchObject({ code: "ETIMEDOUT", timeoutType, command: "CONN", message });
    expect(ms).toBeGreaterThanOrEqual(waitsAtLeast - 100);
  });
});

describe("close()", () => {
  it("closes every listener promptly, even with idle connections open", async () => {
    const server = await startTestSmtpServer({ user: "other@clinic.example", password: "pw" });
    expect(server).toMatchObject({ host: "127.0.0.1", user: "other@clinic.example", password: "pw" });
    const ports = [
      server.starttlsPort,
      server.implicitTlsPort,
      server.otherNamePort,
      server.untrustedPort,
      server.silentPort,
      server.stallPort,
    ];
    expect(new Set(ports).size).toBe(6);
    const sockets = await Promise.all(
      ports.map(
        (port) =>
          new Promise<net.Socket>((resolve, reject) => {
            const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
            socket.on("error", reject);
          }),
      ),
    );
    const closedSockets = sockets.map((s) => new Promise((resolve) => s.once("close", resolve)));
    sockets.forEach((s) => s.on("error", () => {}).resume());
    await new Promise((r) => setTimeout(r, 50)); // let the greetings go out
    const started = Date.now();
    await server.close();
    await Promise.all(closedSockets);
    expect(Date.now() - started).toBeLessThan(1000);
    const refused = await new Promise<string | undefined>((resolve) => {
      const socket = net.connect(server.starttlsPort, "127.0.0.1", () => resolve("connected"));
      socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    expect(refused).toBe("ECONNREFUSED");
  });
});

describe("options for load (scripts/bench-watch.ts)", () => {
  it("serves STARTTLS on several loopback addresses on one port, lets any user in with the password, holds every reply, and counts connections per address", async () => {
    const slow = await startTestSmtpServer({
      replyDelayMs: 200,
      starttlsHosts: ["127.0.0.1", "127.0.0.2"],
      anyUser: true,
      password: "shared-pass",
    });
    const verify = (host: string, user: string, pass = "shared-pass") => {
      // An IP address as the host: the certificate must name 127.0.0.2 itself.
      const transport = nodemailer.createTransport({
        host,
        port: slow.starttlsPort,
        secure: false,
        requireTLS: true,
        auth: { user, pass },
        connectionTimeout: 5000,
        greetingTimeout: 5000,
        socketTimeout: 5000,
      });
      return transport.verify().finally(() => transport.close());
    };
    try {
      expect(slow.starttlsHosts).toEqual(["127.0.0.1", "127.0.0.2"]);
      const started = Date.now();
      await Promise.all([
        verify("127.0.0.2", "a@one.example"),
        verify("127.0.0.2", "b@two.example"),
        verify("127.0.0.1", "c@three.example"),
      ]);
      // Greeting, EHLO, STARTTLS, EHLO and AUTH, each held 200 ms.
      expect(Date.now() - started).toBeGreaterThanOrEqual(980);
      await slow.waitForSessionsClosed(5000);
      expect(slow.sessions.map((s) => `${s.host} ${s.user}`).sort()).toEqual([
        "127.0.0.1 c@three.example",
        "127.0.0.2 a@one.example",
        "127.0.0.2 b@two.example",
      ]);
      expect(slow.load.byHost.get("127.0.0.2")).toEqual({
        connections: 2,
        open: 0,
        peakOpen: 2,
        beforeQuit: 0,
        peakBeforeQuit: 2,
      });
      expect(slow.load.byHost.get("127.0.0.1")).toEqual({
        connections: 1,
        open: 0,
        peakOpen: 1,
        beforeQuit: 0,
        peakBeforeQuit: 1,
      });
      expect(slow.load.peakOpen).toBe(3);

      slow.reset();
      expect(slow.load.byHost.get("127.0.0.2")).toEqual({
        connections: 0,
        open: 0,
        peakOpen: 0,
        beforeQuit: 0,
        peakBeforeQuit: 0,
      });
      expect(slow.load.peakOpen).toBe(0);
      await expect(verify("127.0.0.2", "a@one.example", "wrong-pass")).rejects.toMatchObject({
        code: "EAUTH",
        responseCode: 535,
      });
    } finally {
      await slow.close();
    }
  });
});
