// The organisation's own settings (its time zone): changed by owners and admins, each change in the audit trail.
import "server-only";
import type { Actor } from "./actor";
import { recordAudit } from "./audit";
import type { Db } from "./prisma";

/** Sets the zone the organisation's times are shown in; `changed` is false when it already was that zone. */
export async function setTimeZone(
  db: Db,
  actor: Pick<Actor, "userId" | "email" | "orgId">,
  timeZone: string,
): Promise<{ changed: boolean }> {
  return db.$transaction(async (tx) => {
    const { timeZone: from } = await tx.organisation.findUniqueOrThrow({
      where: { id: actor.orgId },
      select: { timeZone: true },
    });
    if (from === timeZone) return { changed: false };
    await tx.organisation.update({ where: { id: actor.orgId }, data: { timeZone } });
    await recordAudit(tx, {
      orgId: actor.orgId,
      actor,
      action: "organisation.time_zone",
      details: { from, to: timeZone },
    });
    return { changed: true };
  });
}
