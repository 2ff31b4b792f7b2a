// One-time sign-in codes, asked for when the right password comes from an address the account has not signed in from
// lately while it is being guessed at (lib/sign-in.ts decides when). A code goes to the account's email and works once,
// for 10 minutes, with 5 tries, and only together with the challenge held by the browser that gave the password.
// Neither is stored as it is: the challenge as its SHA-256, the code as an HMAC keyed by the challenge, so the rows
// alone are no help in trying the million codes.
import "server-only";
import crypto from "node:crypto";
import type { Db } from "./prisma";
import type { SystemMailConfig } from "./system-mail";
import { sendSystemMail } from "./system-mailer";

export const SIGN_IN_CODE = {
  digits: 6,
  ttlMs: 10 * 60_000,
  tries: 5,
  /** A code sent and not used keeps asking for codes this long (codeSentRecently). */
  rememberedForMs: 24 * 3_600_000,
} as const;

/** A challenge for one browser's sign-in: 32 random bytes, base64url (43 characters). */
export function newChallenge(): string {
  return crypto.randomBytes(32).toString("base64url");
}

const challengeHashOf = (challenge: string) => crypto.createHash("sha256").update(challenge).digest("base64url");
const codeHashOf = (challenge: string, code: string) =>
  crypto.createHmac("sha256", challenge).update(code).digest("base64url");

/** Makes a code for the user under the challenge (replacing an earlier one under the same challenge); returns it. */
export async function issueSignInCode(
  db: Db,
  { userId, challenge, now }: { userId: string; challenge: string; now: Date },
): Promise<{ id: string; code: string }> {
  const code = crypto
    .randomInt(0, 10 ** SIGN_IN_CODE.digits)
    .toString()
    .padStart(SIGN_IN_CODE.digits, "0");
  const challengeHash = challengeHashOf(challenge);
  await db.signInCode.deleteMany({
    where: {
      OR: [{ challengeHash }, { userId, createdAt: { lt: new Date(now.getTime() - SIGN_IN_CODE.rememberedForMs) } }],
    },
  });
  const row = await db.signInCode.create({
    data: {
      userId,
      challengeHash,
      codeHash: codeHashOf(challenge, code),
      triesLeft: SIGN_IN_CODE.tries,
      expiresAt: new Date(now.getTime() + SIGN_IN_CODE.ttlMs),
      createdAt: now,
    },
    select: { id: true },
  });
  return { id: row.id, code };
}

/** Takes back a code that could not be sent. */
export async function withdrawSignInCode(db: Db, id: string): Promise<void> {
  await db.signInCode.deleteMany({ where: { id } });
}

/**
 * Whether a code went to this user within the last day and was not used. The prompt for a code tells whoever gave the
 * password that it was right; without this, a guesser who got that far would only have to wait until their failures
 * left the window.
 */
export async function codeSentRecently(db: Db, userId: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - SIGN_IN_CODE.rememberedForMs);
  return (await db.signInCode.count({ where: { userId, createdAt: { gt: since } } })) > 0;
}

export type CodeCheck = { ok: true; userId: string } | { ok: false; reason: "code-wrong" | "code-expired" };

/**
 * Spends one try of the code under this challenge. A right code is used up, with the user's other codes; a wrong one
 * says whether tries are left ("code-wrong") or not ("code-expired", as for an expired or unknown code).
 */
export async function checkSignInCode(
  db: Db,
  { challenge, code }: { challenge: string; code: string },
  now: Date,
): Promise<CodeCheck> {
  const expired = { ok: false, reason: "code-expired" } as const;
  const row = await db.signInCode.findUnique({ where: { challengeHash: challengeHashOf(challenge) } });
  if (!row || row.expiresAt <= now || row.triesLeft <= 0) return expired;
  // The try is taken before the comparison, so parallel tries cannot spend more than there are.
  const took = await db.signInCode.updateMany({
    where: { id: row.id, triesLeft: { gt: 0 } },
    data: { triesLeft: { decrement: 1 } },
  });
  if (took.count !== 1) return expired;
  const given = Buffer.from(codeHashOf(challenge, code));
  const stored = Buffer.from(row.codeHash);
  if (given.length !== stored.length || !crypto.timingSafeEqual(given, stored)) {
    return row.triesLeft > 1 ? { ok: false, reason: "code-wrong" } : expired;
  }
  // Used once: of two parallel right answers, only the one that deletes the row signs in.
  if ((await db.signInCode.deleteMany({ where: { id: row.id } })).count !== 1) return expired;
  await db.signInCode.deleteMany({ where: { userId: row.userId } });
  return { ok: true, userId: row.userId };
}

/** The email with the code: why it was asked for, and what to do when it was not you. Never the password. */
export function signInCodeEmail({ code, address }: { code: string; address: string | null }): {
  subject: string;
  text: string;
} {
  const minutes = SIGN_IN_CODE.ttlMs / 60_000;
  return {
    subject: "Your one-time sign-in code for Finance Email Setup",
    text: [
      "Your one-time sign-in code is:",
      "",
      `    ${code}`,
      "",
      `Enter it on the sign-in page where you entered your password. It works once, within ${minutes} minutes.`,
      "",
      `It was asked for because this account has had many wrong password attempts lately, and this sign-in came from ${address ? `an address it has not been used from recently (${address})` : "an address it has not been used from recently"}.`,
      "",
      "If you did not just sign in, someone else knows your password: do not give this code to anyone, then sign in and change your password on Your account.",
    ].join("\n"),
  };
}

export async function sendSignInCode(
  mail: SystemMailConfig,
  { to, code, address }: { to: string; code: string; address: string | null },
): Promise<void> {
  await sendSystemMail(mail, { to, ...signInCodeEmail({ code, address }) });
}
