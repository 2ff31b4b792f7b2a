// Organisation membership: list, add (with a one-time temporary password), change role, reset a password, remove.
// Every query is scoped to the actor's organisation; the last owner can never be demoted or removed.
import "server-only";
import type { Actor } from "./actor";
import type { Db } from "./prisma";
import { recordAudit } from "./audit";
import { isUniqueViolation } from "./db-errors";
import { UserFacingError } from "./errors";
import { generateTemporaryPassword, hashPassword } from "./password";
import { canAssignRole, ROLE_LABELS, type Role } from "./roles";
import type { AddMemberInput } from "./validation/account";

/** Who changes the members: their role decides what they may do. */
type ActingMember = Pick<Actor, "userId" | "email" | "orgId" | "role">;

const LAST_OWNER_MESSAGE = "An organisation needs at least one owner. Make someone else an owner first.";

export function listMembers(db: Db, orgId: string) {
  return db.membership.findMany({
    where: { orgId },
    include: { user: { select: { id: true, name: true, email: true, mustChangePassword: true } } },
    orderBy: [{ createdAt: "asc" }],
  });
}

/** How long an admin's temporary password works before the member must ask for a new one. */
export const TEMPORARY_PASSWORD_HOURS = 72;

export async function addMember(db: Db, actor: ActingMember, input: AddMemberInput, now = new Date()) {
  if (!canAssignRole(actor.role, null, input.role)) {
    throw new UserFacingError("Only an owner can add another owner.", "role");
  }
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  try {
    const membership = await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: {
          email: input.email,
          name: input.name,
          passwordHash,
          mustChangePassword: true,
          temporaryPasswordExpiresAt: new Date(now.getTime() + TEMPORARY_PASSWORD_HOURS * 3_600_000),
        },
      });
      const created = await tx.membership.create({ data: { userId: user.id, orgId: actor.orgId, role: input.role } });
      await recordAudit(tx, {
        orgId: actor.orgId,
        actor,
        action: "member.added",
        details: { email: input.email, name: input.name, role: input.role },
      });
      return created;
    });
    return { membership, temporaryPassword };
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new UserFacingError("An account with this email already exists.", "email");
    }
    throw err;
  }
}

/**
 * Takes the organisation's row lock for the rest of the transaction, so membership changes in one organisation
 * run one at a time: two owners demoting each other at once cannot both see "two owners" (PostgreSQL's default
 * isolation would allow it; SQLite already serialises writers). The same statement works on both.
 * It stays SQL: Prisma runs an update that changes nothing as a plain SELECT, which takes no lock.
 */
async function lockOrganisation(tx: Pick<Db, "$executeRaw">, orgId: string) {
  await tx.$executeRaw`UPDATE "Organisation" SET "name" = "name" WHERE "id" = ${orgId}`;
}

async function ownerCount(tx: Pick<Db, "membership">, orgId: string) {
  return tx.membership.count({ where: { orgId, role: "OWNER" } });
}

export async function changeRole(db: Db, actor: ActingMember, membershipId: string, role: Role) {
  await db.$transaction(async (tx) => {
    await lockOrganisation(tx, actor.orgId);
    const target = await tx.membership.findFirst({
      where: { id: membershipId, orgId: actor.orgId },
      include: { user: { select: { email: true } } },
    });
    if (!target) throw new UserFacingError("That member is no longer in this organisation.");
    const from = target.role;
    if (from === role) return;
    if (!canAssignRole(actor.role, from, role)) {
      throw new UserFacingError("Only an owner can change an owner's role or make someone an owner.");
    }
    if (from === "OWNER" && (await ownerCount(tx, actor.orgId)) <= 1) throw new UserFacingError(LAST_OWNER_MESSAGE);
    await tx.membership.update({ where: { id: target.id }, data: { role } });
    await recordAudit(tx, {
      orgId: actor.orgId,
      actor,
      action: "member.role_changed",
      details: { email: target.user.email, from: ROLE_LABELS[from], to: ROLE_LABELS[role] },
    });
  });
}

/**
 * The member an owner or admin acts on, with the checks removal and a password reset share: in this
 * organisation, not an owner unless the actor is one, and not the actor themselves.
 */
async function manageableMember(
  tx: Pick<Db, "membership">,
  actor: ActingMember,
  membershipId: string,
  messages: { verb: string; self: string },
) {
  const target = await tx.membership.findFirst({
    where: { id: membershipId, orgId: actor.orgId },
    include: { user: { select: { id: true, email: true, name: true } } },
  });
  if (!target) throw new UserFacingError("That member is no longer in this organisation.");
  if (!canAssignRole(actor.role, target.role, target.role))
    throw new UserFacingError(`Only an owner can ${messages.verb} an owner.`);
  if (target.userId === actor.userId) throw new UserFacingError(messages.self);
  return target;
}

/**
 * A new temporary password for a member who lost theirs (or whose account may be in someone else's hands). Every
 * session they have ends at its next request, the old password stops working, and the new one expires like any
 * temporary password.
 */
export async function resetMemberPassword(db: Db, actor: ActingMember, membershipId: string, now = new Date()) {
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const target = await db.$transaction(async (tx) => {
    await lockOrganisation(tx, actor.orgId);
    const target = await manageableMember(tx, actor, membershipId, {
      verb: "reset the password of",
      self: "To change your own password, use Change password.",
    });
    await tx.user.update({
      where: { id: target.userId },
      data: {
        passwordHash,
        mustChangePassword: true,
        temporaryPasswordExpiresAt: new Date(now.getTime() + TEMPORARY_PASSWORD_HOURS * 3_600_000),
        sessionVersion: { increment: 1 },
      },
    });
    await recordAudit(tx, {
      orgId: actor.orgId,
      actor,
      action: "member.password_reset",
      details: { email: target.user.email },
    });
    return target;
  });
  return { temporaryPassword, email: target.user.email, name: target.user.name };
}

export async function removeMember(db: Db, actor: ActingMember, membershipId: string) {
  await db.$transaction(async (tx) => {
    await lockOrganisation(tx, actor.orgId);
    const target = await manageableMember(tx, actor, membershipId, {
      verb: "remove",
      self: "You cannot remove yourself. Ask another owner or admin.",
    });
    if (target.role === "OWNER" && (await ownerCount(tx, actor.orgId)) <= 1)
      throw new UserFacingError(LAST_OWNER_MESSAGE);
    await tx.membership.delete({ where: { id: target.id } });
    // A user belongs to one organisation here; without a membership the account has no use left. If it ever
    // has another, its sessions still end, so a removed person's open tabs stop working at once.
    if ((await tx.membership.count({ where: { userId: target.userId } })) === 0) {
      await tx.user.delete({ where: { id: target.userId } });
    } else {
      await tx.user.update({ where: { id: target.userId }, data: { sessionVersion: { increment: 1 } } });
    }
    await recordAudit(tx, {
      orgId: actor.orgId,
      actor,
      action: "member.removed",
      details: { email: target.user.email, role: ROLE_LABELS[target.role] },
    });
  });
}
