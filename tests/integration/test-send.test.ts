// runSmtpTest against the real SMTP fixture: every step, both modes, and each diagnosis from the error nodemailer
// really produced (diagnose() is wrapped, not replaced, so the test can also see the error object it was given).
import { fixTarget } from "@/lib/watch/fix-target";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { REPLIES, SCRIPTED, startTestSmtpServer, type TestSmtpServer } from "../../stand-ins/smtp-test-server";
import type { DiagnoseContext, SmtpErrorLike } from "@/lib/smtp/diagnose";
import { buildTestMessage, TEST_EMAIL_SUBJECT } from "@/lib/mailbox/test-email";
import { runSmtpTest, type SmtpTestInput, type StepId } from "@/lib/mailbox/transports/smtp";
import { isSmtpReply, NOT_SMTP_REPLY } from "@/lib/smtp/redact";

const seen = vi.hoisted(() => ({ calls: [] as { err: unknown; ctx: unknown }[] }));
vi.mock("@/lib/smtp/diagnose", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/smtp/diagnose")>();
  return {
    ...real,
    diagnose: (err: SmtpErrorLike, ctx: DiagnoseContext) => {
      seen.calls.push({ err, ctx });
      return real.diagnose(err, ctx);
    },
  };
});
const { diagnose } = await vi.importActual<typeof import("@/lib/smtp/diagnose")>("@/lib/smtp/diagnose");

/** The error object runSmtpTest handed to diagnose() in the last run. */
const lastError = () => seen.calls.at(-1)?.err as SmtpErrorLike & { timeoutType?: string };

const BUDGET = 2000;
const ORG = "Riverside Physio";

let smtp: TestSmtpServer;
let small: TestSmtpServer;

beforeAll(async () => {
  [smtp, small] = await Promise.all([startTestSmtpServer(), startTestSmtpServer({ sizeLimit: 1024 })]);
});
afterAll(async () => {
  await Promise.all([smtp?.close(), small?.close()]);
});
beforeEach(() => {
  smtp.reset();
  small.reset();
  seen.calls.length = 0;
});

function input(over: Partial<SmtpTestInput> = {}): SmtpTestInput {
  const host = over.host ?? "localhost";
  const port = over.port ?? smtp.starttlsPort;
  const security = over.security ?? "starttls";
  const user = over.user ?? smtp.user;
  return {
    mode: "send",
    host,
    port,
    security,
    user,
    password: smtp.password,
    envelopeFrom: "billing@clinic.example",
    to: "owner@clinic.example",
    budgetMs: BUDGET,
    allowPrivate: true,
    message: () =>
      buildTestMessage({
        organisation: ORG,
        host,
        port,
        security,
        user,
        fromName: "Riverside Billing",
        fromAddress: "billing@clinic.example",
        to: over.to ?? "owner@clinic.example",
        sentBy: { name: "Ada Admin", email: "ada@clinic.example" },
        sentAt: new Date("2025-03-04T05:06:07Z"),
      }),
    ...over,
  };
}

const statusOf = (steps: { id: StepId; status: string }[]) => Object.fromEntries(steps.map((s) => [s.id, s.status]));
const STEP_ORDER: StepId[] = ["lookup", "connect", "tls", "auth", "envelope", "message"];
/** Every step's status when the run stops at `failedStep` (or finishes, without one): ok before it, skipped after. */
const statusesFailingAt = (failedStep?: StepId) => {
  const failedAt = failedStep ? STEP_ORDER.indexOf(failedStep) : STEP_ORDER.length;
  return Object.fromEntries(
    STEP_ORDER.map((id, i) => [id, i < failedAt ? "ok" : i === failedAt ? "failed" : "skipped"]),
  );
};

/** Decodes the text and html parts of a MIME message (quoted-printable or base64). */
function bodyParts(raw: string): { text: string; html: string } {
  const parts = { text: "", html: "" };
  for (const chunk of raw.split(/\r?\n--/)) {
    const type = /content-type:\s*text\/(plain|html)/i.exec(chunk)?.[1];
    if (!type) continue;
    const split = chunk.search(/\r?\n\r?\n/);
    const head = chunk.slice(0, split);
    let body = chunk.slice(split).trim();
    if (/content-transfer-encoding:\s*base64/i.test(head))
      body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    else if (/quoted-printable/i.test(head)) {
      body = Buffer.from(
        body
          .replace(/=\r?\n/g, "")
          .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        "latin1",
      ).toString("utf8");
    }
    parts[type === "plain" ? "text" : "html"] = body;
  }
  return parts;
}

describe("runSmtpTest: success", () => {
  it("sends the test email over STARTTLS, with every step ok and timed", async () => {
    const result = await runSmtpTest(input());
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.failedStep).toBeUndefined();
    expect(result.steps.map((s) => s.id)).toEqual(["lookup", "connect", "tls", "auth", "envelope", "message"]);
    for (const step of result.steps) {
      expect(step.status).toBe("ok");
      expect(Number.isFinite(step.ms) && step.ms >= 0).toBe(true);
    }
    expect(result.reply).toMatch(/^250 2\.0\.0 OK/);

    expect(smtp.messages).toHaveLength(1);
    const [msg] = smtp.messages;
    expect(msg.envelopeFrom).toBe("billing@clinic.example");
    expect(msg.envelopeTo).toEqual(["owner@clinic.example"]);
    expect(msg.subject).toBe(TEST_EMAIL_SUBJECT);
    expect(msg.subject).toBe("Test email from Finance Email Setup");
    expect(msg.raw).not.toContain(smtp.password);

    const { text, html } = bodyParts(msg.raw);
    for (const part of [text, html]) {
      expect(part).toContain(ORG);
      expect(part).toContain("localhost");
      expect(part).toContain(String(smtp.starttlsPort));
      expect(part).toContain(smtp.user);
      expect(part).not.toContain(smtp.password);
    }
    await smtp.waitForSessionsClosed();
    expect(smtp.sessions[0]).toMatchObject({ listener: "starttls", secure: true, user: smtp.user, dataStarted: true });
  });

  it("check mode stops after the recipient: RSET and QUIT, no DATA, no message", async () => {
    const result = await runSmtpTest(input({ mode: "check" }));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.mode).toBe("check");
    expect(result.steps.map((s) => s.id)).toEqual(["lookup", "connect", "tls", "auth", "envelope"]);
    expect(result.steps.every((s) => s.status === "ok")).toBe(true);

    await smtp.waitForSessionsClosed();
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.sessions).toHaveLength(1);
    const [session] = smtp.sessions;
    expect(session.dataStarted).toBe(false);
    expect(session.commands).not.toContain("DATA");
    expect(session.commands.slice(-2)).toEqual(["RSET", "QUIT"]);
    expect(session.commands).toEqual(expect.arrayContaining(["STARTTLS", "AUTH PLAIN", "MAIL", "RCPT"]));
  });

  it("works with implicit TLS (security ssl) on the implicit-TLS port", async () => {
    const result = await runSmtpTest(input({ port: smtp.implicitTlsPort, security: "ssl" }));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(statusOf(result.steps)).toEqual(statusesFailingAt());
    expect(smtp.messages).toHaveLength(1);
    await smtp.waitForSessionsClosed();
    expect(smtp.sessions[0]).toMatchObject({ listener: "implicitTls", secure: true });
    expect(smtp.sessions[0].commands).not.toContain("STARTTLS");
  });
});

describe("runSmtpTest: each diagnosis from a real failure", () => {
  it("google-app-password-required (534 5.7.9) at auth", async () => {
    const result = await runSmtpTest(
      input({ password: SCRIPTED.appPasswordRequiredPassword, provider: "google-mail" }),
    );
    expect(result.ok).toBe(false);
    expect(result.failedStep).toBe("auth");
    expect(result.diagnosis?.id).toBe("google-app-password-required");
    expect(lastError()).toMatchObject({ code: "EAUTH", responseCode: 534 });
    expect(result.reply).toBe(REPLIES.appPasswordRequired.join("\n"));
    expect(statusOf(result.steps)).toEqual(statusesFailingAt("auth"));
  });

  it("bad-credentials (535 5.7.8): both reply lines, the password never in the reply or steps", async () => {
    const password = "Wrong-Secret-Password-9921";
    const result = await runSmtpTest(input({ password }));
    expect(result.failedStep).toBe("auth");
    expect(result.diagnosis?.id).toBe("bad-credentials");
    expect(lastError()).toMatchObject({ code: "EAUTH", responseCode: 535 });
    expect(result.reply).toContain(REPLIES.badCredentials[0]);
    expect(result.reply).toContain(REPLIES.badCredentials[1]);
    const everything = JSON.stringify(result);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(Buffer.from(password).toString("base64"));
    expect(smtp.messages).toHaveLength(0);
  });

  it("microsoft-smtp-auth-disabled: 535 5.7.139 at auth", async () => {
    const result = await runSmtpTest(input({ user: SCRIPTED.m365DisabledUser }));
    expect(result.failedStep).toBe("auth");
    expect(result.diagnosis?.id).toBe("microsoft-smtp-auth-disabled");
    expect(lastError()).toMatchObject({ code: "EAUTH", responseCode: 535 });
    // Not toBe(REPLIES.smtpAuthDisabled[0]): redactReply takes "SmtpClientAuthentication" (24 letters) for a base64 token.
    expect(result.reply).toMatch(/^535 5\.7\.139 Authentication unsuccessful, .* is disabled for the Tenant\.$/);
  });

  it("microsoft-smtp-auth-disabled: 530 5.7.57 at MAIL FROM, in send and check mode", async () => {
    for (const mode of ["send", "check"] as const) {
      const result = await runSmtpTest(input({ mode, user: SCRIPTED.m365BasicUser }));
      expect(result.failedStep, mode).toBe("envelope");
      expect(result.diagnosis?.id, mode).toBe("microsoft-smtp-auth-disabled");
      expect(lastError(), mode).toMatchObject({ code: "EENVELOPE", responseCode: 530 });
      expect(result.reply, mode).toBe(REPLIES.clientNotAuthenticated[0]);
      expect(statusOf(result.steps).auth, mode).toBe("ok");
    }
    expect(smtp.messages).toHaveLength(0);
  });

  it("ssl-on-starttls-port: SSL/TLS chosen on a STARTTLS port, with a fix to STARTTLS", async () => {
    const result = await runSmtpTest(input({ security: "ssl" }));
    expect(result.failedStep).toBe("tls");
    expect(result.diagnosis?.id).toBe("ssl-on-starttls-port");
    expect(result.diagnosis?.fix).toMatchObject({ field: "security", value: "starttls" });
    expect(lastError()).toMatchObject({ code: "ESOCKET", originalCode: "ERR_SSL_WRONG_VERSION_NUMBER" });
    expect(statusOf(result.steps)).toMatchObject({ lookup: "ok", connect: "ok", tls: "failed", auth: "skipped" });
  });

  it("starttls-on-ssl-port: STARTTLS on an implicit-TLS port never gets a greeting (465 only; elsewhere a timeout)", async () => {
    const started = performance.now();
    const result = await runSmtpTest(input({ port: smtp.implicitTlsPort, security: "starttls" }));
    expect(performance.now() - started).toBeLessThan(BUDGET + 1000);
    expect(result.failedStep).toBe("connect");
    const err = lastError();
    expect(err).toMatchObject({ code: "ETIMEDOUT", command: "CONN", timeoutType: "GREETING_TIMEOUT" });
    // On a port that is not 465 a silent server may just as well be a firewall: no guess about TLS.
    expect(result.diagnosis?.id).toBe("timeout");
    const on465 = diagnose(err, { host: "localhost", port: 465, security: "starttls" });
    expect(on465.id).toBe("starttls-on-ssl-port");
    expect(on465.fix).toMatchObject({ field: "security", value: "ssl" });
    // The same silence with SSL/TLS already chosen is not this mistake.
    expect(diagnose(err, { host: "localhost", port: 465, security: "ssl" }).id).toBe("timeout");
  });

  it("connection-refused on a closed port, at connect", async () => {
    const result = await runSmtpTest(input({ port: smtp.closedPort }));
    expect(result.failedStep).toBe("connect");
    expect(result.diagnosis?.id).toBe("connection-refused");
    expect(lastError()).toMatchObject({ code: "ESOCKET" });
    expect(statusOf(result.steps)).toMatchObject({ lookup: "ok", connect: "failed", tls: "skipped" });
  });

  it("host-not-found when the lookup fails, with a spelling fix for smtp.gmial.com", async () => {
    const lookup = (host: string) =>
      Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND", hostname: host }));
    const plain = await runSmtpTest(input({ host: "mail.nowhere.example", lookup }));
    expect(plain.failedStep).toBe("lookup");
    expect(plain.diagnosis?.id).toBe("host-not-found");
    expect(plain.diagnosis?.fix).toBeUndefined();
    expect(statusOf(plain.steps)).toEqual(statusesFailingAt("lookup"));

    const typo = await runSmtpTest(input({ host: "smtp.gmial.com", lookup }));
    expect(typo.failedStep).toBe("lookup");
    expect(typo.diagnosis?.id).toBe("host-not-found");
    expect(typo.diagnosis?.fix).toEqual({ field: "host", value: "smtp.gmail.com", label: "Use smtp.gmail.com" });
    expect(smtp.sessions).toHaveLength(0);
  });

  it("a provider's own server name that cannot be looked up is the app's side: no field to fix, no name suggested", async () => {
    const lookup = (host: string) =>
      Promise.reject(Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: "EAI_AGAIN", hostname: host }));
    const result = await runSmtpTest(input({ host: "smtp.gmail.com", lookup }));
    expect(result.failedStep).toBe("lookup");
    expect(result.diagnosis).toMatchObject({
      id: "provider-unreachable",
      title: "This app could not reach Google from its server",
      advice: [
        "Nothing in your settings needs to change: the app checks again by itself.",
        "If it still fails in an hour, tell the people who run this app.",
      ],
    });
    expect(result.diagnosis?.explanation).toContain("not a mistake in your settings");
    expect(result.diagnosis?.fix).toBeUndefined();
    expect(JSON.stringify(result.diagnosis)).not.toMatch(/typo|Did you mean|Check the Server/);
    expect(fixTarget(result.diagnosis?.id).href).not.toContain("#field-host");
  });

  it("blocked-address: localhost is refused unless private networks are allowed", async () => {
    const result = await runSmtpTest(input({ allowPrivate: false }));
    expect(result.failedStep).toBe("lookup");
    expect(result.diagnosis?.id).toBe("blocked-address");
    expect(result.diagnosis?.explanation).toBe(
      "localhost points to a private or internal address. For safety this service only connects to public mail servers.",
    );
    expect(smtp.sessions).toHaveLength(0);
    const ip = await runSmtpTest(input({ host: "127.0.0.1", allowPrivate: false }));
    expect(ip.diagnosis?.id).toBe("blocked-address");
  });

  it("timeout: a silent server with SSL/TLS ends within the budget + 1 s", async () => {
    const started = performance.now();
    const result = await runSmtpTest(input({ port: smtp.silentPort, security: "ssl", budgetMs: BUDGET }));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(BUDGET + 1000);
    expect(result.ok).toBe(false);
    expect(result.diagnosis?.id).toBe("timeout");
    expect(lastError()).toMatchObject({ code: "ETIMEDOUT" });
    expect(["connect", "tls"]).toContain(result.failedStep);
    expect(result.durationMs).toBeLessThan(BUDGET + 1000);
  });

  it("timeout: a server that greets and then stalls ends within the budget + 1 s", async () => {
    const started = performance.now();
    const result = await runSmtpTest(input({ port: smtp.stallPort, security: "starttls", budgetMs: BUDGET }));
    expect(performance.now() - started).toBeLessThan(BUDGET + 1000);
    expect(result.diagnosis?.id).toBe("timeout");
    expect(lastError()).toMatchObject({ code: "ETIMEDOUT" });
  });

  it("certificate-untrusted: a self-signed certificate, at tls", async () => {
    const result = await runSmtpTest(input({ port: smtp.untrustedPort, security: "ssl" }));
    expect(result.failedStep).toBe("tls");
    expect(result.diagnosis?.id).toBe("certificate-untrusted");
    expect(lastError()).toMatchObject({ code: "ESOCKET", originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    expect(statusOf(result.steps)).toMatchObject({ lookup: "ok", connect: "ok", tls: "failed", auth: "skipped" });
  });

  it("certificate-wrong-host: a certificate for another name, at tls", async () => {
    const result = await runSmtpTest(input({ port: smtp.otherNamePort, security: "ssl" }));
    expect(result.failedStep).toBe("tls");
    expect(result.diagnosis?.id).toBe("certificate-wrong-host");
    expect(lastError()).toMatchObject({ code: "ESOCKET", originalCode: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("auth-required: no user name, so no AUTH, and MAIL FROM gets 530", async () => {
    const result = await runSmtpTest(input({ user: "" }));
    expect(result.failedStep).toBe("envelope");
    expect(result.diagnosis?.id).toBe("auth-required");
    expect(lastError()).toMatchObject({ code: "EENVELOPE", responseCode: 530 });
    expect(statusOf(result.steps)).toMatchObject({ tls: "ok", auth: "skipped", envelope: "failed" });
    await smtp.waitForSessionsClosed();
    expect(smtp.sessions[0].commands.some((c) => c.startsWith("AUTH"))).toBe(false);
  });

  it("sending-limit: 550 5.4.5 at MAIL FROM", async () => {
    const result = await runSmtpTest(input({ envelopeFrom: SCRIPTED.limitSender }));
    expect(result.failedStep).toBe("envelope");
    expect(result.diagnosis?.id).toBe("sending-limit");
    expect(lastError()).toMatchObject({ code: "EENVELOPE", responseCode: 550 });
    expect(result.reply).toBe(REPLIES.dailyLimit.join("\n"));
  });

  it("gmail-unauthenticated (550-5.7.26) and outlook-unauthenticated (550 5.7.515) after DATA: point to the Deliverability card", async () => {
    for (const [to, id, reply] of [
      [SCRIPTED.gmailUnauthenticatedRecipient, "gmail-unauthenticated", REPLIES.gmailUnauthenticated],
      [SCRIPTED.outlookUnauthenticatedRecipient, "outlook-unauthenticated", REPLIES.outlookUnauthenticated],
    ] as const) {
      const result = await runSmtpTest(input({ to }));
      expect(result.failedStep, id).toBe("message");
      expect(result.diagnosis, id).toMatchObject({
        id,
        helpHref: `/help/troubleshooting#${id}`,
        pageLink: { href: "/settings/email/deliverability", label: "See the records to add" },
      });
      expect(result.reply, id).toBe(reply.join("\n"));
    }
  });

  it("recipient-refused: 550 5.1.1 at RCPT TO, in send and in check mode", async () => {
    for (const mode of ["send", "check"] as const) {
      const result = await runSmtpTest(input({ mode, to: SCRIPTED.unknownRecipient }));
      expect(result.failedStep, mode).toBe("envelope");
      expect(result.diagnosis?.id, mode).toBe("recipient-refused");
      expect(lastError(), mode).toMatchObject({ code: "EENVELOPE", responseCode: 550, command: "RCPT TO" });
      expect(result.reply, mode).toBe(REPLIES.noSuchUser.join("\n"));
    }
    await smtp.waitForSessionsClosed();
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.sessions.every((s) => !s.dataStarted)).toBe(true);
  });

  it("message-too-large: 552 5.3.4 after DATA, at message", async () => {
    const result = await runSmtpTest(input({ port: small.starttlsPort }));
    expect(result.failedStep).toBe("message");
    expect(result.diagnosis?.id).toBe("message-too-large");
    expect(lastError()).toMatchObject({ code: "EMESSAGE", responseCode: 552, command: "DATA" });
    expect(result.reply).toBe(REPLIES.messageTooBig.join("\n"));
    expect(statusOf(result.steps)).toEqual(statusesFailingAt("message"));
    expect(small.messages).toHaveLength(0);
  });
});

describe("a server that is not an SMTP server", () => {
  it("is reported as such, without any of the bytes it sent (no banner grabbing)", async () => {
    const banner =
      "HTTP/1.1 400 Bad Request\r\nServer: internal-admin-panel/2.4 build 7781\r\nX-Secret: s3cr3t-banner\r\n\r\n";
    const server = net.createServer((socket) => socket.end(banner));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await runSmtpTest(input({ host: "127.0.0.1", port, mode: "check" }));
      expect(result.ok).toBe(false);
      expect(result.reply).toBeUndefined();
      expect(result.steps.find((s) => s.status === "failed")?.detail).toBe(NOT_SMTP_REPLY);
      const shown = JSON.stringify(result);
      for (const leaked of ["internal-admin-panel", "s3cr3t-banner", "HTTP/1.1"]) expect(shown).not.toContain(leaked);
    } finally {
      server.close();
    }
  });

  it("an SMTP server's own error reply is still shown", () => {
    expect(isSmtpReply("535-5.7.8 Username and Password not accepted.\n535 5.7.8 Learn more")).toBe(true);
    expect(isSmtpReply("220 smtp.example.com ESMTP")).toBe(true);
    expect(isSmtpReply("HTTP/1.1 400 Bad Request")).toBe(false);
    expect(isSmtpReply("SSH-2.0-OpenSSH_9.2p1")).toBe(false);
    expect(isSmtpReply("+OK POP3 ready")).toBe(false);
  });
});
