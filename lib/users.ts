// Account operations: provisioning from the command line, password changes and ending every session.
import "server-only";
import type { Db } from "./prisma";
import { type AttemptLimit, forgetAttempts, otherAttempts, recordAttempts, retryAt } from "./attempt-limit";
import { recordAudit } from "./audit";
import { minutesUntil } from "./format";
import { UserFacingError } from "./errors";
import { hashPassword, verifyPassword } from "./password";
import type { Role } from "./roles";

export async function provisionUser(
  db: Db,
  input: { email: string; name: string; password: string; orgName: string; role: Role; createOrg?: boolean },
) {
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email } })) {
      throw new UserFacingError(`A user with the email ${input.email} already exists.`, "email");
    }
    let org = await tx.organisation.findFirst({ where: { name: input.orgName } });
    if (!org) {
      if (!input.createOrg) {
        throw new UserFacingError(
          `No organisation is named "${input.orgName}". Check the name, or pass --create-org to create it.`,
          "org",
        );
      }
      org = await tx.organisation.create({ data: { name: input.orgName } });
    }
    const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } });
    await tx.membership.create({ data: { userId: user.id, orgId: org.id, role: input.role } });
    await recordAudit(tx, {
      orgId: org.id,
      actor: null,
      action: "member.added",
      details: { email: user.email, name: user.name, role: input.role, via: "command line" },
    });
    return { user, org };
  });
}

/** Wrong current passwords on the change-password page: at most this many in the window, then a pause. */
export const CURRENT_PASSWORD_LIMIT: AttemptLimit = { max: 5, windowMs: 15 * 60_000 };

export async function changePassword(
  db: Db,
  user: { id: string; email: string; orgId: string },
  { currentPassword, newPassword }: { currentPassword: string; newPassword: string },
  now = new Date(),
) {
  // Recorded before the check, so parallel guesses cannot all get past the limit (lib/attempt-limit.ts).
  const key = `change-password:${user.id}`;
  const ids = await recordAttempts(db, [key], now);
  const pausedUntil = retryAt(
    await otherAttempts(db, { key, ownIds: ids, windowMs: CURRENT_PASSWORD_LIMIT.windowMs, now }),
    CURRENT_PASSWORD_LIMIT,
  );
  if (pausedUntil) {
    await forgetAttempts(db, ids);
    throw new UserFacingError(
      `Too many wrong current passwords. Try again in ${minutesUntil(pausedUntil, now)}, or ask an owner to reset your access.`,
      "currentPassword",
    );
  }
  const row = await db.user.findUnique({ where: { id: user.id }, omit: { passwordHash: false } });
  if (!row || !(await verifyPassword(currentPassword, row.passwordHash))) {
    throw new UserFacingError("That is not your current password.", "currentPassword");
  }
  await forgetAttempts(db, ids);
  await db.user.update({
    where: { id: user.id },
    // A new password ends every session made with the old one; the action signs this browser in again.
    data: {
      passwordHash: await hashPassword(newPassword),
      mustChangePassword: false,
      temporaryPasswordExpiresAt: null,
      sessionVersion: { increment: 1 },
    },
  });
  await recordAudit(db, {
    orgId: user.orgId,
    actor: { userId: user.id, email: user.email },
    action: "user.password_changed",
  });
}

/** "Sign out everywhere": every session of this user, on every device, ends at its next request. */
export async function endAllSessions(db: Db, user: { id: string; email: string; orgId: string }) {
  await db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
  await recordAudit(db, {
    orgId: user.orgId,
    actor: { userId: user.id, email: user.email },
    action: "user.signed_out_everywhere",
  });
}
