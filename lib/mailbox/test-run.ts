// Test send for an organisation: rate limit (in the database, so every instance counts), the saved password
// when the form's is blank, the run itself, its record, and the settings status (Working / Failing) when
// what was tested is exactly what is saved.
import "server-only";
import type { Keyring } from "../secrets/crypto";
import type { Db } from "../prisma";
import { UserFacingError } from "../errors";
import { detectProvider, type MxResolver } from "../smtp/detect";
import { fromRewriteNote } from "../smtp/diagnose";
import type { OAuthConfig } from "../smtp/sign-in-providers";
import { credentialForTest, testSignsInWithLink } from "./credential";
import type { EmailSettingsInput } from "./schema";
import { testMessage } from "./test-email";
import { assertMailPort, type MailPorts } from "../smtp/mail-ports";
import { recordTestResult } from "./status";
import { smtpTransport } from "./transports/smtp";
import { failedBeforeConnecting, type DeliveryResult, type StepId } from "./transports/transport";
import type { LookupAll } from "../net/address-guard";

export const TEST_LIMITS = {
  perUser: { max: 5, windowMs: 60_000, label: "a minute" },
  perOrg: { max: 20, windowMs: 60 * 60_000, label: "an hour" },
} as const;

export class TestRateLimited extends UserFacingError {}

export type TestRunner = {
  db: Db;
  keyring: Keyring;
  budgetMs: number;
  allowPrivate: boolean;
  /** The ports a test may connect to (SMTP_ALLOWED_PORTS): mail ports only, so it cannot scan a network. */
  allowedPorts: MailPorts;
  /** How many tests may run at once in this instance (default MAX_CONCURRENT_TESTS). */
  maxConcurrentTests?: number;
  lookup?: LookupAll;
  resolveMx?: MxResolver;
  /** Mail provider sign-in (a mailbox linked with Microsoft or Google sends with its access token). */
  oauth?: OAuthConfig;
};

/** Who runs a test, for which organisation. */
export type TestContext = { org: { id: string; name: string }; user: { id: string; name: string; email: string } };

export type TestOutcome = DeliveryResult & { notes: string[]; runId: string; matchesSaved: boolean };

function waitText(ms: number) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;
}

/** Writes the run first, then counts: two instances racing past the limit cannot both get through. */
async function reserveRun(
  db: Db,
  run: {
    orgId: string;
    userId: string;
    userEmail: string;
    mode: TestRequest["mode"];
    recipient: string;
    host: string;
    port: number;
  },
  now: Date,
) {
  const created = await db.smtpTestRun.create({ data: { ...run, createdAt: now } });
  const checks = [
    { where: { userId: run.userId }, limit: TEST_LIMITS.perUser, who: "You have" },
    { where: { orgId: run.orgId }, limit: TEST_LIMITS.perOrg, who: "Your organisation has" },
  ];
  for (const { where, limit, who } of checks) {
    const recent = await db.smtpTestRun.findMany({
      where: { ...where, createdAt: { gt: new Date(now.getTime() - limit.windowMs) } },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true, id: true },
    });
    if (recent.length > limit.max) {
      await db.smtpTestRun.delete({ where: { id: created.id } });
      const others = recent.filter((r) => r.id !== created.id);
      const oldestCounted = others[limit.max - 1].createdAt.getTime();
      const retryIn = oldestCounted + limit.windowMs - now.getTime();
      throw new TestRateLimited(
        `${who} run ${limit.max} tests in ${limit.label}, the most allowed. Try again in ${waitText(retryIn)}.`,
      );
    }
  }
  return created.id;
}

/** Tests running in this instance at most (each may hold a connection for its whole budget). */
export const MAX_CONCURRENT_TESTS = 8;
export const TESTS_BUSY_MESSAGE = "Too many tests are running on this server right now. Try again in a few seconds.";
export class TestsBusy extends UserFacingError {}

let runningTests = 0;

/** A place among the tests running in this instance, or a refusal at once (never a queue of waiting connections). */
function takeTestSlot(max: number): () => void {
  if (runningTests >= max) throw new TestsBusy(TESTS_BUSY_MESSAGE);
  runningTests++;
  let released = false;
  return () => {
    if (!released) runningTests--;
    released = true;
  };
}

/** What to test: a whole test email, or the connection up to the recipient (nothing sent); now is for tests. */
export type TestRequest = { mode: "send" | "check"; to: string; now?: Date };

type SavedSettings = Awaited<ReturnType<Db["emailSettings"]["findUnique"]>>;

/** One test as it runs: who asked, what was typed, what is saved, and what it signs in with. */
type TestRun = {
  ctx: TestContext;
  input: EmailSettingsInput;
  mode: TestRequest["mode"];
  to: string;
  now: Date;
  saved: SavedSettings;
  withLink: boolean;
};

export async function testSettings(
  runner: TestRunner,
  ctx: TestContext,
  input: EmailSettingsInput,
  request: TestRequest,
): Promise<TestOutcome> {
  const { db } = runner;
  assertMailPort(runner.allowedPorts, input.port);
  const [saved, link] = await Promise.all([
    db.emailSettings.findUnique({ where: { orgId: ctx.org.id } }),
    db.mailboxLink.findUnique({ where: { orgId: ctx.org.id }, select: { provider: true, email: true } }),
  ]);
  const withLink = testSignsInWithLink(saved, link, input);
  const release = takeTestSlot(runner.maxConcurrentTests ?? MAX_CONCURRENT_TESTS);
  try {
    return await runTest(runner, {
      ctx,
      input,
      mode: request.mode,
      to: request.to,
      now: request.now ?? new Date(),
      saved,
      withLink,
    });
  } finally {
    release();
  }
}

async function runTest(runner: TestRunner, run: TestRun): Promise<TestOutcome> {
  const { ctx, input } = run;
  const runId = await reserveRun(
    runner.db,
    {
      orgId: ctx.org.id,
      userId: ctx.user.id,
      userEmail: ctx.user.email,
      mode: run.mode,
      recipient: run.to,
      host: input.host,
      port: input.port,
    },
    run.now,
  );
  const chosen = await credentialForTest(runner, ctx.org.id, run);
  if (!chosen.ok) {
    if (chosen.missing) {
      // Nothing was run: the reserved row must neither stay RUNNING nor count toward the limit.
      await runner.db.smtpTestRun.delete({ where: { id: runId } });
      throw new UserFacingError("Enter the password to test with: none is saved yet.", "password");
    }
    const result = failedBeforeConnecting(run.mode, chosen.detail, chosen.diagnosis);
    return finishRun(runner, run, { runId, result, matchesSaved: chosen.matchesSaved });
  }

  const transport = smtpTransport({
    budgetMs: runner.budgetMs,
    allowPrivate: runner.allowPrivate,
    lookup: runner.lookup,
  });
  const result = await transport.deliver(
    { provider: input.provider, host: input.host, port: input.port, security: input.security, user: input.user },
    chosen.credential,
    {
      mode: run.mode,
      envelopeFrom: input.fromAddress,
      to: run.to,
      message: testMessage({
        organisation: ctx.org.name,
        host: input.host,
        port: input.port,
        security: input.security,
        user: input.user,
        fromName: input.fromName,
        fromAddress: input.fromAddress,
        replyTo: input.replyTo,
        to: run.to,
        sentBy: { name: ctx.user.name, email: ctx.user.email },
        sentAt: run.now,
      }),
    },
  );
  return finishRun(runner, run, { runId, result, matchesSaved: chosen.matchesSaved });
}

async function finishRun(
  runner: TestRunner,
  run: TestRun,
  outcome: { runId: string; result: DeliveryResult; matchesSaved: boolean },
): Promise<TestOutcome> {
  const { result, matchesSaved } = outcome;
  const { input } = run;
  const notes: string[] = [];
  const rewrite = fromRewriteNote(input.provider, input.user, input.fromAddress);
  if (rewrite) notes.push(rewrite);
  if (
    !result.ok &&
    (result.diagnosis?.id === "bad-credentials" || result.diagnosis?.id === "google-app-password-required")
  ) {
    const found = await detectProvider(input.user, { resolveMx: runner.resolveMx, timeoutMs: 1500 });
    if (found?.presetId === "google-workspace" && found.reason === "mx") {
      notes.push(
        "This address is hosted by Google Workspace. A Workspace administrator may have turned app passwords off for your organisation; if so, ask them to allow them, or to set up the SMTP relay service (smtp-relay.gmail.com) for this app.",
      );
    }
  }
  if (!matchesSaved && result.ok)
    notes.push("These settings are not saved yet: save them to use them for your finance mail.");

  await runner.db.smtpTestRun.update({
    where: { id: outcome.runId },
    data: {
      outcome: result.ok ? "SUCCESS" : "FAILURE",
      failedStep: result.failedStep ?? null,
      diagnosisId: result.diagnosis?.id ?? null,
      reply: result.reply ?? null,
      durationMs: result.durationMs,
      steps: result.steps,
      matchesSaved,
    },
  });
  if (matchesSaved)
    await recordTestResult(runner.db, { orgId: run.ctx.org.id, version: input.version }, result, run.now);
  return { ...result, notes, runId: outcome.runId, matchesSaved };
}

export type TestRunRow = {
  id: string;
  userEmail: string;
  mode: TestRequest["mode"];
  recipient: string;
  outcome: "RUNNING" | "SUCCESS" | "FAILURE";
  failedStep: StepId | null;
  durationMs: number | null;
  createdAt: Date;
  host: string;
  port: number;
};

/** Finished tests, newest first. */
export async function recentTestRuns(db: Db, orgId: string, take = 10): Promise<TestRunRow[]> {
  return db.smtpTestRun.findMany({
    where: { orgId, outcome: { not: "RUNNING" } },
    orderBy: { createdAt: "desc" },
    take,
    select: {
      id: true,
      userEmail: true,
      mode: true,
      recipient: true,
      outcome: true,
      failedStep: true,
      durationMs: true,
      createdAt: true,
      host: true,
      port: true,
    },
  });
}
