// Proves the system mailer works: sends a test email through SYSTEM_MAIL_URL as SYSTEM_MAIL_FROM, with the same
// runner, steps and diagnosis as the Finance email page's test send. Never prints the password.
// npm run mail:test -- --to someone@example.com
// Start it with npm run: the lib modules import "server-only", which loads only under the react-server condition the npm script passes to Node.
import { parseArgs } from "node:util";
import { EnvError, loadEnv } from "../lib/env";
import { buildTestMessage } from "../lib/mailbox/test-email";
import { runSmtpTest } from "../lib/mailbox/transports/smtp";
import { nameLookup } from "../lib/net/address-guard";
import { emailField } from "../lib/validation/account";

const USAGE = "Usage: npm run mail:test -- --to someone@example.com";

async function main(): Promise<number> {
  let to: string;
  try {
    const { values } = parseArgs({ options: { to: { type: "string" } } });
    const parsed = emailField.safeParse(values.to ?? "");
    if (!parsed.success) {
      console.error(`mail:test: ${values.to ? parsed.error.issues[0].message : "--to is required"}. ${USAGE}`);
      return 1;
    }
    to = parsed.data;
  } catch (err) {
    console.error(`mail:test: ${(err as Error).message}. ${USAGE}`);
    return 1;
  }
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const mail = env.systemMail;
  if (!mail) {
    console.error(
      "mail:test: system mail is not set up: set SYSTEM_MAIL_URL (smtps://user:password@host) and SYSTEM_MAIL_FROM.",
    );
    return 1;
  }
  const sentAt = new Date();
  const result = await runSmtpTest({
    mode: "send",
    host: mail.host,
    port: mail.port,
    security: mail.security,
    user: mail.user,
    password: mail.password,
    envelopeFrom: mail.from,
    to,
    budgetMs: env.smtpTestBudgetMs,
    // The operator's own server, which may well be an internal relay.
    allowPrivate: true,
    lookup: nameLookup(env.nameSources),
    message: () =>
      buildTestMessage({
        organisation: "Finance Email Setup (system mail)",
        host: mail.host,
        port: mail.port,
        security: mail.security,
        user: mail.user,
        fromName: "Finance Email Setup",
        fromAddress: mail.from,
        to,
        sentBy: { name: "npm run mail:test", email: mail.from },
        sentAt,
      }),
  });
  for (const step of result.steps) {
    console.log(
      `${step.status === "ok" ? "✓" : step.status === "failed" ? "✗" : "–"} ${step.label}${step.detail ? `: ${step.detail}` : ""}`,
    );
  }
  if (result.ok) {
    console.log(`System mail works: a test email was sent to ${to} from ${mail.from}.`);
    return 0;
  }
  if (result.reply) console.error(`Server reply: ${result.reply}`);
  if (result.diagnosis) {
    console.error(`${result.diagnosis.title}. ${result.diagnosis.explanation}`);
    for (const advice of result.diagnosis.advice) console.error(`- ${advice}`);
  }
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`mail:test failed: ${(err as Error).name}: ${(err as Error).message}`);
    process.exit(1);
  },
);
