// `npm run mail:test -- --to …` against a real TLS SMTP server: the operator proves the system mailer works.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/database";
import {
  DEFAULT_SMTP_PASSWORD,
  DEFAULT_SMTP_USER,
  startTestSmtpServer,
  type TestSmtpServer,
} from "../../stand-ins/smtp-test-server";

let smtp: TestSmtpServer;
let dataDir: string;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-mail-test-"));
});
afterAll(async () => {
  await smtp?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** What `npm run mail:test` runs (package.json), without blocking this process, whose SMTP server must answer. */
function mailTest(args: string[], vars: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  const [bin, ...scriptArgs] = scripts["mail:test"].split(" ");
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, ...vars };
  for (const name of ["NODE_ENV", "DATABASE_URL", "SYSTEM_MAIL_URL", "SYSTEM_MAIL_FROM"])
    if (!(name in vars)) delete env[name];
  const child = spawn(path.join(ROOT, "node_modules/.bin", bin), [...scriptArgs, ...args], { cwd: ROOT, env });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

const url = (password: string) =>
  `smtp://${encodeURIComponent(DEFAULT_SMTP_USER)}:${encodeURIComponent(password)}@localhost:${smtp.starttlsPort}`;

describe("npm run mail:test", () => {
  it("sends a test email through SYSTEM_MAIL_URL as SYSTEM_MAIL_FROM and lists the steps", async () => {
    const before = smtp.messages.length;
    const run = await mailTest(["--to", "operator@ops.example"], {
      SYSTEM_MAIL_URL: url(DEFAULT_SMTP_PASSWORD),
      SYSTEM_MAIL_FROM: DEFAULT_SMTP_USER,
    });
    expect(run, run.out).toMatchObject({ code: 0 });
    expect(run.out).toContain("✓ Authentication");
    expect(run.out).toContain(
      `System mail works: a test email was sent to operator@ops.example from ${DEFAULT_SMTP_USER}.`,
    );
    expect(smtp.messages.length).toBe(before + 1);
    expect(smtp.messages.at(-1)).toMatchObject({
      envelopeFrom: DEFAULT_SMTP_USER,
      envelopeTo: ["operator@ops.example"],
    });
    expect(run.out).not.toContain(DEFAULT_SMTP_PASSWORD);
  });

  it("a wrong password fails with the server's reply and the diagnosis, and exit code 1; the password is never printed", async () => {
    const run = await mailTest(["--to", "operator@ops.example"], {
      SYSTEM_MAIL_URL: url("not-the-password-xyz"),
      SYSTEM_MAIL_FROM: DEFAULT_SMTP_USER,
    });
    expect(run.code).toBe(1);
    expect(run.out).toContain("✗ Authentication");
    expect(run.out).toContain("535");
    expect(run.out).toContain("The user name or password was not accepted");
    expect(run.out).not.toContain("not-the-password-xyz");
  });

  it("without system mail, or without --to, says what to do", async () => {
    const unset = await mailTest(["--to", "operator@ops.example"], {});
    expect(unset).toMatchObject({ code: 1 });
    expect(unset.out).toContain("system mail is not set up: set SYSTEM_MAIL_URL");
    const noTo = await mailTest([], {
      SYSTEM_MAIL_URL: url(DEFAULT_SMTP_PASSWORD),
      SYSTEM_MAIL_FROM: DEFAULT_SMTP_USER,
    });
    expect(noTo.code).toBe(1);
    expect(noTo.out).toContain("--to is required");
  });
});
