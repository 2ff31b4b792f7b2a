// Credential check with a guessing throttle (lib/attempt-limit.ts records each attempt before its check). A client is
// an IPv4 address or an IPv6 /64 (lib/client-address.mjs): one customer of any IPv6 provider holds a whole /64.
// - a hard limit per (email, client), so a guesser locks out only their own address, never the owner;
// - a looser hard limit per client across all emails, against one address spraying many accounts;
// - per email, only a slowing delay once it has recent failures: the right password from a clean address still gets
//   through, a little later. The checks for one email take turns, so the delay bounds their rate however many
//   addresses guess at once;
// - past 20 recent failures, the right password from an address the account has not signed in from lately also
//   needs a one-time code sent to the account's email (lib/sign-in-code.ts); without a system mailer to send it,
//   the delay grows to 30 s instead. The right password and the code always get the owner in.
import type { Db } from "./prisma";
import {
  type AttemptLimit,
  forgetAttempts,
  otherAttempts,
  pruneAttempts,
  recordAttempts,
  retryAt,
} from "./attempt-limit";
import { recordAudit } from "./audit";
import { addressBlock, normaliseAddress } from "./client-address.mjs";
import { isUniqueViolation } from "./db-errors";
import { minutesUntil } from "./format";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "./password";
import {
  checkSignInCode,
  codeSentRecently,
  issueSignInCode,
  newChallenge,
  sendSignInCode,
  SIGN_IN_CODE,
  withdrawSignInCode,
} from "./sign-in-code";
import type { SystemMailConfig } from "./system-mail";

const WINDOW_MS = 15 * 60_000;
export const THROTTLE = {
  perEmailAndAddress: { max: 5, windowMs: WINDOW_MS },
  perAddress: { max: 20, windowMs: WINDOW_MS },
  /** From this many recent failures for an email, each attempt on it waits, doubling up to the cap. */
  slowdown: { afterFailures: 5, firstDelayMs: 1000, maxDelayMs: 8000 },
  /**
   * More recent failures than this for an email: the right password from an unfamiliar address needs a one-time
   * code, or, with no system mailer to send one, every attempt on the email waits delayWithoutMailMs.
   */
  stepUp: { aboveFailures: 20, delayWithoutMailMs: 30_000 },
  /** An address the account signed in from within this long is familiar: no code is asked for there. */
  familiarForMs: 30 * 24 * 3_600_000,
} as const satisfies {
  perEmailAndAddress: AttemptLimit;
  perAddress: AttemptLimit;
  slowdown: object;
  stepUp: object;
  familiarForMs: number;
};

/** The wait before checking a password for an email with this many failures in the window. */
export function slowdownMs(failures: number, { systemMail = true }: { systemMail?: boolean } = {}): number {
  const { afterFailures, firstDelayMs, maxDelayMs } = THROTTLE.slowdown;
  if (!systemMail && failures > THROTTLE.stepUp.aboveFailures) return THROTTLE.stepUp.delayWithoutMailMs;
  if (failures < afterFailures) return 0;
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(failures - afterFailures, 10));
}

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "expired" }
  | { ok: false; reason: "throttled"; retryAt: Date }
  /** The password was right; a one-time code went to the account's email. */
  | { ok: false; reason: "code-required" }
  | { ok: false; reason: "code-wrong" }
  /** The code expired, was used, ran out of tries, or was never issued for this challenge. */
  | { ok: false; reason: "code-expired" };

export const INVALID_CREDENTIALS_MESSAGE = "That email and password do not match an account.";
export const TEMPORARY_PASSWORD_EXPIRED_MESSAGE =
  "This temporary password has expired. Ask an owner or admin of your organisation to add you again with a new one.";
export const WRONG_CODE_MESSAGE = "That code is not the one we sent. Check the latest sign-in email and try again.";
export const CODE_EXPIRED_MESSAGE = `That code can no longer be used: a code works once, within ${SIGN_IN_CODE.ttlMs / 60_000} minutes, with ${SIGN_IN_CODE.tries} tries. Sign in with your password again to get a new one.`;

export function throttledMessage(retryAt: Date, now = new Date()): string {
  return `Too many failed sign-in attempts. Sign-in is paused for ${minutesUntil(retryAt, now)}; try again then, or ask an owner to reset your access.`;
}

export function codeSentMessage(email: string): string {
  return `This account has had many wrong password attempts, and you are signing in from a new address, so we have emailed a one-time code to ${email}. Enter it below to finish signing in.`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type SignInOptions = {
  now?: Date;
  /** Sleeps the slowdown (tests pass one that records it instead). */
  wait?: (ms: number) => Promise<void>;
  /** The operator's system mailer, which sends one-time codes; null when none is set up. */
  systemMail?: SystemMailConfig | null;
};

// Password checks for one email wait for each other here, on globalThis so every bundle of this module shares them.
// This holds within one instance: N instances can check one email N at a time. The failures the delay is worked out
// from live in the database, so they already count across instances.
type Queues = Map<string, Promise<void>>;
const globalForQueues = globalThis as { financeEmailSignInQueues?: Queues };
const queues: Queues = (globalForQueues.financeEmailSignInQueues ??= new Map() as Queues);

async function oneAtATime<T>(key: string, run: () => Promise<T>): Promise<T> {
  const result = (queues.get(key) ?? Promise.resolve()).then(run);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  try {
    return await result;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

export async function authenticate(
  db: Db,
  input: {
    email: string;
    password: string;
    clientAddress: string | null;
    /** The browser's challenge for a one-time code, should one be needed (lib/sign-in-code.ts). */
    challenge?: string;
  },
  { now = new Date(), wait = sleep, systemMail = null }: SignInOptions = {},
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const client = addressBlock(input.clientAddress) ?? "unknown";
  const keys = { pair: `email+ip:${email}|${client}`, address: `ip:${client}`, email: `email:${email}` };
  const ids = await recordAttempts(db, [keys.pair, keys.address, keys.email], now);

  const limits: [string, AttemptLimit][] = [
    [keys.pair, THROTTLE.perEmailAndAddress],
    [keys.address, THROTTLE.perAddress],
  ];
  let pausedUntil: Date | null = null;
  for (const [key, limit] of limits) {
    const until = retryAt(await otherAttempts(db, { key, ownIds: ids, windowMs: limit.windowMs, now }), limit);
    if (until && (!pausedUntil || until > pausedUntil)) pausedUntil = until;
  }
  if (pausedUntil) {
    await forgetAttempts(db, ids);
    return { ok: false, reason: "throttled", retryAt: pausedUntil };
  }

  // Guessers from many addresses queue behind each other; an address the owner signed in from lately does not
  // queue behind them (the delay still applies), so a crowd of guessers cannot keep the owner waiting for hours.
  const familiar = client !== "unknown" && (await isFamiliar(db, { email, client, now }));
  const check = async () => {
    const failures = (await otherAttempts(db, { key: keys.email, ownIds: ids, windowMs: WINDOW_MS, now })).length;
    const delay = slowdownMs(failures, { systemMail: systemMail !== null });
    if (delay > 0) await wait(delay);
    const user = await db.user.findUnique({
      where: { email },
      omit: { passwordHash: false },
      include: { memberships: { select: { orgId: true }, take: 1 } },
    });
    const valid = user
      ? await verifyPassword(input.password, user.passwordHash)
      : await verifyAgainstDummy(input.password);
    return { failures, delay, user, valid };
  };
  const { failures, delay, user, valid } = familiar ? await check() : await oneAtATime(`sign-in:${email}`, check);
  const orgId = user?.memberships[0]?.orgId ?? null;

  if (!user || !valid) {
    // The attempt's rows stay: they are the failure.
    await pruneAttempts(db, WINDOW_MS, now);
    if (user && orgId) {
      await recordAudit(db, { orgId, actor: { userId: user.id, email: user.email }, action: "sign_in.failed" });
    }
    return { ok: false, reason: "invalid" };
  }

  // A temporary password from an admin works for a limited time only (the member has not chosen their own yet).
  if (temporaryPasswordExpired(user, now)) {
    await forgetAttempts(db, ids);
    return { ok: false, reason: "expired" };
  }

  if (
    systemMail &&
    !familiar &&
    (failures > THROTTLE.stepUp.aboveFailures || (await codeSentRecently(db, user.id, now)))
  ) {
    const issued = await issueSignInCode(db, { userId: user.id, challenge: input.challenge ?? newChallenge(), now });
    const address = input.clientAddress === null ? null : normaliseAddress(input.clientAddress);
    try {
      await sendSignInCode(systemMail, { to: user.email, code: issued.code, address });
    } catch (err) {
      // A code that cannot be sent must not lock the owner out: the sign-in goes on as it would with no system
      // mailer, after that longer delay.
      console.error(`[sign-in] a one-time code could not be sent: ${(err as Error).message}`);
      await withdrawSignInCode(db, issued.id);
      await wait(THROTTLE.stepUp.delayWithoutMailMs - delay);
      return signedIn(db, user, { password: input.password, ids, keys, client, now });
    }
    // The right password is not a failure.
    await forgetAttempts(db, ids);
    if (orgId) {
      await recordAudit(db, {
        orgId,
        actor: { userId: user.id, email: user.email },
        action: "sign_in.code_sent",
        details: { address: address ?? "unknown" },
      });
    }
    return { ok: false, reason: "code-required" };
  }
  return signedIn(db, user, { password: input.password, ids, keys, client, now });
}

/** The second step: the one-time code, with the challenge of the browser that gave the right password. */
export async function authenticateWithCode(
  db: Db,
  input: { challenge: string; code: string; clientAddress: string | null },
  { now = new Date() }: Pick<SignInOptions, "now"> = {},
): Promise<SignInResult> {
  const checked = await checkSignInCode(db, input, now);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  const user = await db.user.findUnique({
    where: { id: checked.userId },
    omit: { passwordHash: false },
    include: { memberships: { select: { orgId: true }, take: 1 } },
  });
  if (!user) return { ok: false, reason: "code-expired" };
  if (temporaryPasswordExpired(user, now)) return { ok: false, reason: "expired" };
  const client = addressBlock(input.clientAddress) ?? "unknown";
  const keys = { pair: `email+ip:${user.email}|${client}`, email: `email:${user.email}` };
  return signedIn(db, user, { ids: [], keys, client, now, withCode: true });
}

type CheckedUser = {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  sessionVersion: number;
  mustChangePassword: boolean;
  temporaryPasswordExpiresAt: Date | null;
  memberships: { orgId: string }[];
};

function temporaryPasswordExpired(user: CheckedUser, now: Date): boolean {
  return Boolean(user.mustChangePassword && user.temporaryPasswordExpiresAt && user.temporaryPasswordExpiresAt <= now);
}

async function isFamiliar(db: Db, { email, client, now }: { email: string; client: string; now: Date }) {
  const since = new Date(now.getTime() - THROTTLE.familiarForMs);
  return (await db.recentSignIn.count({ where: { address: client, lastAt: { gt: since }, user: { email } } })) > 0;
}

/** The owner is in: records where from, and forgets their email's slowdown and this address's mistakes for it. */
async function signedIn(
  db: Db,
  user: CheckedUser,
  options: {
    /** Given after a password check: a hash from before today's parameters is replaced while it is at hand. */
    password?: string;
    ids: string[];
    keys: { pair: string; email: string };
    client: string;
    now: Date;
    withCode?: boolean;
  },
): Promise<SignInResult> {
  const { password, ids, keys, client, now } = options;
  if (password !== undefined && needsRehash(user.passwordHash)) {
    await db.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash },
      data: { passwordHash: await hashPassword(password) },
    });
  }
  // Not other addresses' mistakes: a guesser elsewhere stays paused.
  await db.signInFailure.deleteMany({ where: { OR: [{ id: { in: ids } }, { key: { in: [keys.email, keys.pair] } }] } });
  if (client !== "unknown") {
    try {
      await db.recentSignIn.upsert({
        where: { userId_address: { userId: user.id, address: client } },
        create: { userId: user.id, address: client, lastAt: now },
        update: { lastAt: now },
      });
    } catch (err) {
      // A parallel sign-in from the same address wrote the same row.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  await db.recentSignIn.deleteMany({
    where: { userId: user.id, lastAt: { lt: new Date(now.getTime() - THROTTLE.familiarForMs) } },
  });
  const orgId = user.memberships[0]?.orgId;
  if (orgId) {
    await recordAudit(db, {
      orgId,
      actor: { userId: user.id, email: user.email },
      action: "sign_in.succeeded",
      ...(options.withCode ? { details: { with: "code" } } : {}),
    });
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}
