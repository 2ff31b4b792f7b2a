// First run: the first person creates the organisation and their owner account. Closed for good once any user exists.
import "server-only";
import type { Db } from "./prisma";
import { recordAudit } from "./audit";
import { isUniqueViolation } from "./db-errors";
import { hashPassword } from "./password";
import { UserFacingError } from "./errors";
import type { SetupInput } from "./validation/account";

let knownComplete = false;

/** Once true it stays true (the last owner can never be removed), so it is remembered in memory. */
export async function isSetupComplete(db: Db): Promise<boolean> {
  if (knownComplete) return true;
  knownComplete = (await db.user.count()) > 0;
  return knownComplete;
}

export const SETUP_CLOSED_MESSAGE = "Setup has already been completed. Sign in instead.";

export async function completeSetup(db: Db, input: SetupInput) {
  const passwordHash = await hashPassword(input.password);
  try {
    const result = await db.$transaction(async (tx) => {
      // The fixed primary key makes a second, concurrent setup fail here rather than create a second owner.
      await tx.setupLock.create({ data: { id: 1 } });
      if ((await tx.user.count()) > 0) throw new UserFacingError(SETUP_CLOSED_MESSAGE);
      const org = await tx.organisation.create({
        data: { name: input.organisationName, timeZone: input.timeZone },
      });
      const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } });
      await tx.membership.create({ data: { userId: user.id, orgId: org.id, role: "OWNER" } });
      await recordAudit(tx, {
        orgId: org.id,
        actor: { userId: user.id, email: user.email },
        action: "setup.completed",
        details: { organisation: org.name },
      });
      return { org, user };
    });
    knownComplete = true;
    return result;
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    if (isUniqueViolation(err)) throw new UserFacingError(SETUP_CLOSED_MESSAGE);
    throw err;
  }
}
