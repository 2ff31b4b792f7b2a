// How much the app's test-send path (guard, step timing, diagnosis) costs over a bare nodemailer send, and how long
// a silent server takes to fail through it. Runs against the test SMTP fixture. npm run bench:test-send [N=30]
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import nodemailer from "nodemailer";
import { buildTestMessage, testEmailContent, type TestEmailDetails } from "../lib/mailbox/test-email";
import { runSmtpTest, type SmtpTestInput } from "../lib/mailbox/transports/smtp";
import { startTestSmtpServer, type TestSmtpServer } from "../stand-ins/smtp-test-server";
import { ensureTestCa } from "../stand-ins/test-ca";

const GOAL_RATIO = 1.25;
const SILENT_BUDGET_MS = 15_000;
const WARM_UP = 5;
const BUDGET_MS = 10_000;

function parseCount(arg: string | undefined): number {
  const n = Number((arg ?? "30").replace(/^N=/i, ""));
  if (!Number.isInteger(n) || n < 1) {
    console.error(`Usage: npm run bench:test-send [N=30]   (got ${JSON.stringify(arg)})`);
    process.exit(2);
  }
  return n;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms: number) => ms.toFixed(1);

function details(smtp: TestSmtpServer): TestEmailDetails {
  return {
    organisation: "Bench Clinic",
    host: "localhost",
    port: smtp.starttlsPort,
    security: "starttls",
    user: smtp.user,
    fromName: "Bench Billing",
    fromAddress: "billing@clinic.example",
    to: "owner@clinic.example",
    sentBy: { name: "Bench", email: "bench@clinic.example" },
    sentAt: new Date(),
  };
}

async function appSend(smtp: TestSmtpServer, overrides: Partial<SmtpTestInput> = {}) {
  const d = details(smtp);
  const started = performance.now();
  const result = await runSmtpTest({
    mode: "send",
    host: "localhost",
    port: smtp.starttlsPort,
    security: "starttls",
    user: smtp.user,
    password: smtp.password,
    envelopeFrom: d.fromAddress,
    to: d.to,
    message: () => buildTestMessage(d),
    budgetMs: BUDGET_MS,
    allowPrivate: true,
    ...overrides,
  });
  return { ms: performance.now() - started, result };
}

/** The same send with nothing but nodemailer: a new transport each time, the options runSmtpTest passes. */
async function bareSend(smtp: TestSmtpServer) {
  const d = details(smtp);
  const started = performance.now();
  const transport = nodemailer.createTransport({
    host: "localhost",
    port: smtp.starttlsPort,
    secure: false,
    requireTLS: true,
    auth: { user: smtp.user, pass: smtp.password },
    tls: { rejectUnauthorized: true, servername: "localhost" },
    name: "finance-email-setup.local",
    connectionTimeout: Math.floor(BUDGET_MS * 0.6),
    greetingTimeout: Math.floor(BUDGET_MS * 0.6),
    socketTimeout: Math.floor(BUDGET_MS * 0.8),
  });
  try {
    const { subject, text, html } = testEmailContent(d);
    await transport.sendMail({
      from: { name: d.fromName, address: d.fromAddress },
      to: d.to,
      subject,
      text,
      html,
      date: d.sentAt,
      headers: { "Auto-Submitted": "auto-generated" },
    });
  } finally {
    transport.close();
  }
  return performance.now() - started;
}

async function main() {
  const n = parseCount(process.argv[2]);
  const smtp = await startTestSmtpServer();
  try {
    console.log(
      `bench:test-send  N=${n} (after ${WARM_UP} warm-up sends each), fixture STARTTLS on localhost:${smtp.starttlsPort}`,
    );

    for (let i = 0; i < WARM_UP; i++) {
      const { result } = await appSend(smtp);
      if (!result.ok) throw new Error(`Warm-up send failed: ${result.diagnosis?.id} ${result.reply ?? ""}`);
      await bareSend(smtp);
    }

    const app: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < n; i++) {
      // Alternate which goes first, so neither always gets the warmer moment.
      const order = i % 2 === 0 ? (["app", "bare"] as const) : (["bare", "app"] as const);
      for (const which of order) {
        if (which === "app") {
          const { ms, result } = await appSend(smtp);
          if (!result.ok) throw new Error(`App send ${i + 1} failed: ${result.diagnosis?.id} ${result.reply ?? ""}`);
          app.push(ms);
        } else {
          bare.push(await bareSend(smtp));
        }
      }
    }
    const expected = (WARM_UP + n) * 2;
    if (smtp.messages.length !== expected)
      throw new Error(`The fixture received ${smtp.messages.length} messages, expected ${expected}`);

    const appMedian = median(app);
    const bareMedian = median(bare);
    const ratio = appMedian / bareMedian;
    console.log(
      `  app path (runSmtpTest)      median ${fmt(appMedian)} ms   (min ${fmt(Math.min(...app))}, max ${fmt(Math.max(...app))})`,
    );
    console.log(
      `  bare nodemailer sendMail    median ${fmt(bareMedian)} ms   (min ${fmt(Math.min(...bare))}, max ${fmt(Math.max(...bare))})`,
    );
    // smtp-server holds every greeting for 100 ms (its early-talker check): both medians include it.
    console.log(
      `  app path overhead ${fmt(appMedian - bareMedian)} ms per send (both include the fixture's 100 ms greeting delay)`,
    );
    console.log(
      `  ratio ${ratio.toFixed(2)}x   goal: app path at most ${GOAL_RATIO}x bare nodemailer   ${ratio <= GOAL_RATIO ? "PASS" : "MISS"}`,
    );

    // Both at once: each waits on its own timers, and the wait is the point.
    const silent = await Promise.all(
      (["starttls", "ssl"] as const).map(async (security) => ({
        security,
        ...(await appSend(smtp, { port: smtp.silentPort, security, budgetMs: SILENT_BUDGET_MS })),
      })),
    );
    for (const { security, ms, result } of silent) {
      const limit = SILENT_BUDGET_MS + 1000;
      console.log(
        `  silent server (${security === "ssl" ? "SSL/TLS" : "STARTTLS"}), budget ${SILENT_BUDGET_MS} ms: failed after ${fmt(ms)} ms` +
          ` (${result.failedStep}, ${result.diagnosis?.id})   goal: within budget + 1 s (${limit} ms)   ${!result.ok && ms <= limit ? "PASS" : "MISS"}`,
      );
    }
  } finally {
    await smtp.close();
  }
}

// Node reads NODE_EXTRA_CA_CERTS only at start-up, so unless it already names the test CA, run again as a child that has it.
const { caFile } = ensureTestCa();
if (process.env.NODE_EXTRA_CA_CERTS !== caFile) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
  process.exit(child.status ?? 1);
} else {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
