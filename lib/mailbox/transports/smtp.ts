// The SMTP transport: nodemailer, step by step: address lookup, connection, TLS, authentication,
// sender and recipient, message. "check" stops after the recipient is accepted (RSET, QUIT: nothing sent).
// Every phase has a timeout and the whole run a hard budget, so a silent server ends with an answer.
import "server-only";
import net from "node:net";
import { performance } from "node:perf_hooks";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import XOAuth2 from "nodemailer/lib/xoauth2";
import { lookupBudgetMs, resolveAndCheck } from "../../net/address-guard";
import { blockedAddress, diagnose, hostNotFound, type SmtpErrorLike } from "../../smtp/diagnose";
import { isSmtpReply, NOT_SMTP_REPLY, redactReply } from "../../smtp/redact";
import {
  STEP_LABELS,
  type Delivery,
  type DeliveryResult,
  type MailboxAccount,
  type NetworkPolicy,
  type StepId,
  type StepStatus,
  type TestStep,
  type Transport,
} from "./transport";

/** The SMTP transport's own input: the account, its credential, what to do, and the network policy in one. */
export type SmtpTestInput = Omit<MailboxAccount, "provider"> &
  Delivery &
  NetworkPolicy & { provider?: string; password: string; accessToken?: string };

export type { StepId };

type Conn = InstanceType<typeof SMTPConnection> & {
  _sendCommand(line: string): void;
  _responseActions: ((reply: string) => void)[];
};

/** MAIL FROM / RCPT TO / RSET outside nodemailer's send(), for a check that must not reach DATA. */
function command(conn: Conn, line: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    conn._responseActions.push((reply: string) => {
      const code = Number(reply.slice(0, 3));
      if (code >= 200 && code < 400) resolve(reply);
      else
        reject(
          Object.assign(new Error(reply), { code: "EENVELOPE", responseCode: code, response: reply, command: name }),
        );
    });
    conn._sendCommand(line);
  });
}

export async function runSmtpTest(input: SmtpTestInput): Promise<DeliveryResult> {
  const started = performance.now();
  let mark = started;
  const steps: TestStep[] = [];
  /** Ends a step now, or at `at` when one nodemailer call covered two steps and its log shows where they split. */
  const finish = (id: StepId, status: StepStatus, detail?: string, at = performance.now()) => {
    steps.push({ id, label: STEP_LABELS[id], status, ms: Math.round(at - mark), detail });
    mark = at;
  };
  const result = (ok: boolean, extra: Partial<DeliveryResult> = {}): DeliveryResult => {
    const done = new Set(steps.map((s) => s.id));
    for (const id of Object.keys(STEP_LABELS) as StepId[]) {
      if (done.has(id)) continue;
      if (input.mode !== "send" && id === "message") continue;
      if (input.mode === "login" && id === "envelope") continue;
      steps.push({ id, label: STEP_LABELS[id], status: "skipped", ms: 0 });
    }
    return { ok, mode: input.mode, steps, durationMs: Math.round(performance.now() - started), ...extra };
  };

  // 1. Address lookup, and the network guard.
  const guard = await resolveAndCheck(input.host, {
    allowPrivate: input.allowPrivate,
    lookup: input.lookup,
    lookupTimeoutMs: lookupBudgetMs(input.budgetMs),
  });
  if (!guard.ok) {
    finish("lookup", "failed", guard.message);
    return result(false, {
      failedStep: "lookup",
      diagnosis: guard.reason === "blocked" ? blockedAddress(guard.message) : hostNotFound(input.host),
    });
  }
  finish("lookup", "ok", guard.addresses.join(", "));

  const implicitTls = input.security === "ssl";
  // The greeting wait is kept shorter than the socket timeout so a silent server reads as "no greeting".
  const greetingTimeout = Math.max(500, Math.floor(input.budgetMs * 0.6));
  const socketTimeout = Math.max(700, Math.floor(input.budgetMs * 0.8));
  const events: { at: number; message: string }[] = [];
  const record = (_data: unknown, message?: unknown, ...args: unknown[]) => {
    events.push({ at: performance.now(), message: [message, ...args].map(String).join(" ") });
  };
  const conn = new SMTPConnection({
    // Connect to the address that was checked, not the name again (DNS rebinding); TLS still checks the name.
    host: guard.address,
    port: input.port,
    secure: implicitTls,
    requireTLS: !implicitTls,
    servername: net.isIP(input.host) ? undefined : input.host,
    tls: { rejectUnauthorized: true, servername: net.isIP(input.host) ? undefined : input.host },
    connectionTimeout: greetingTimeout,
    greetingTimeout,
    socketTimeout,
    name: "finance-email-setup.local",
    logger: { trace: record, debug: record, info: record, warn: record, error: record, fatal: record } as never,
  }) as Conn;

  let lastReply: string | undefined;
  const secrets = [
    input.password,
    `\u0000${input.user}\u0000${input.password}`,
    ...(input.accessToken ? [input.accessToken] : []),
  ].filter(Boolean);
  const stage = { current: "connect" as StepId };
  const fail = (err: SmtpErrorLike) => {
    const step = attributeStep(err, stage.current, events, implicitTls);
    // Steps before the failed one went through; mark them with the time we have.
    if (step === "tls" && !steps.some((s) => s.id === "connect")) finish("connect", "ok");
    if (step === "message") finish("envelope", "ok", `${input.envelopeFrom} → ${input.to}`);
    const reply = err.response ?? lastReply;
    // Something other than an SMTP server answered: say so, without its bytes (no banner grabbing).
    const smtpLike = reply === undefined || isSmtpReply(reply);
    finish(
      step,
      "failed",
      smtpLike ? redactReply(err.message ?? String(err.code ?? "The connection failed."), secrets) : NOT_SMTP_REPLY,
    );
    return result(false, {
      failedStep: step,
      reply: reply && smtpLike ? redactReply(reply, secrets) : undefined,
      diagnosis: diagnose(smtpLike ? err : { ...err, response: undefined, message: NOT_SMTP_REPLY }, {
        host: input.host,
        port: input.port,
        security: input.security,
        provider: input.provider,
        user: input.user,
        signedIn: Boolean(input.accessToken),
      }),
    });
  };

  let budgetTimer: NodeJS.Timeout | undefined;
  const failure = new Promise<SmtpErrorLike>((resolve) => {
    conn.on("error", (err: SmtpErrorLike) => resolve(err));
    budgetTimer = setTimeout(
      () =>
        resolve({
          code: "ETIMEDOUT",
          timeoutType: stage.current === "connect" ? "GREETING_TIMEOUT" : "BUDGET",
          message: `No answer within ${Math.round(input.budgetMs / 1000)} s`,
        }),
      input.budgetMs,
    );
  });
  const step = <T>(run: (done: (err: unknown, value?: T) => void) => void) =>
    Promise.race([
      // nodemailer's errors and the budget's timeout are plain objects that diagnose() reads, not Error instances.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T)))),
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      failure.then((err) => Promise.reject(err)),
    ]);

  try {
    // 2 and 3. Connection, greeting and TLS (implicit, or STARTTLS before anything else is said).
    await step<void>((done) => conn.connect(() => done(null)));
    const established = events.find((e) => /Connection established/i.test(e.message));
    const upgraded = events.find((e) => /upgraded/i.test(e.message));
    if (implicitTls) {
      finish("connect", "ok", `Connected to ${guard.address}:${input.port}`);
      finish("tls", "ok", "SSL/TLS from the first byte; certificate verified");
    } else {
      const now = performance.now();
      finish("connect", "ok", `Connected to ${guard.address}:${input.port}`, upgraded?.at ?? established?.at ?? now);
      finish("tls", "ok", "STARTTLS; certificate verified", now);
    }

    // 4. Authentication.
    stage.current = "auth";
    if (input.user) {
      // A linked mailbox signs in with its access token (nodemailer's XOAUTH2 with a fixed token: the app refreshes
      // tokens itself, because nodemailer's refresh would drop a rotated refresh token).
      const credentials = input.accessToken
        ? { user: input.user, oauth2: new XOAuth2({ user: input.user, accessToken: input.accessToken }) }
        : { user: input.user, pass: input.password };
      await step<boolean>((done) => conn.login(credentials, done));
      finish("auth", "ok", `Signed in as ${input.user}${input.accessToken ? " with its sign-in token (XOAUTH2)" : ""}`);
    } else {
      finish("auth", "skipped", "No user name given");
    }

    // 5 and 6. Envelope, then the message (send) or RSET and QUIT (check); a login check stops here.
    stage.current = "envelope";
    if (input.mode === "login") {
      // QUIT follows below.
    } else if (input.mode === "check") {
      lastReply = await step<string>(
        (done) => void command(conn, `MAIL FROM:<${input.envelopeFrom}>`, "MAIL FROM").then((r) => done(null, r), done),
      );
      lastReply = await step<string>(
        (done) => void command(conn, `RCPT TO:<${input.to}>`, "RCPT TO").then((r) => done(null, r), done),
      );
      finish("envelope", "ok", `${input.envelopeFrom} → ${input.to}`);
      await step<string>((done) => void command(conn, "RSET", "RSET").then((r) => done(null, r), done));
    } else {
      const message = await input.message();
      const dataSentAt = () => events.find((e) => /C: DATA|DATA$/.test(e.message))?.at;
      const info = await step<{ response?: string; accepted?: unknown[] }>((done) =>
        conn.send({ from: input.envelopeFrom, to: [input.to] }, message, (err, info) => done(err, info)),
      );
      finish("envelope", "ok", `${input.envelopeFrom} → ${input.to}`, dataSentAt() ?? mark);
      finish("message", "ok", "The server accepted the test email");
      lastReply = info?.response;
    }
    conn.quit();
    return result(true, { reply: lastReply ? redactReply(lastReply, secrets) : undefined });
  } catch (err) {
    const e = err as SmtpErrorLike;
    if (input.mode === "send" && stage.current === "envelope" && /DATA|message/i.test(e.command ?? ""))
      stage.current = "message";
    conn.close();
    return fail(e);
  } finally {
    clearTimeout(budgetTimer);
  }
}

/** Which step an error belongs to, from nodemailer's error and how far the conversation got. */
function attributeStep(
  err: SmtpErrorLike,
  current: StepId,
  events: { message: string }[],
  implicitTls: boolean,
): StepId {
  if (current !== "connect") return current;
  const text = [
    err.code,
    err.originalCode,
    err.reason,
    err.message,
    (err.cause as { code?: string } | undefined)?.code,
  ].join(" ");
  if (/CERT|SELF_SIGNED|UNABLE_TO|certificate|altnames|wrong version|WRONG_VERSION|ssl|tls/i.test(text)) return "tls";
  if (!implicitTls && events.some((e) => /STARTTLS/i.test(e.message)) && /ESOCKET|ETLS/.test(text)) return "tls";
  return "connect";
}

/** SMTP with nodemailer, under one network policy. */
export function smtpTransport(network: NetworkPolicy): Transport {
  return {
    deliver: (account, credential, delivery) =>
      runSmtpTest({
        ...account,
        ...delivery,
        ...network,
        password: credential.password ?? "",
        accessToken: credential.accessToken,
      }),
  };
}
