// The organisation's time zone: the Members page's action that changes it (who may, what it accepts, the audit
// trail), the signed-in context that carries it to every page, and the reads that show times in it. Auth.js's auth()
// is mocked (it needs a request); everything else runs on SQLite, and on PostgreSQL with TEST_DATABASE=postgresql.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrg, person } from "../helpers/factories";
import type { Role } from "@/lib/roles";

const state = vi.hoisted((): { db: unknown; userId: string | undefined } => ({ db: undefined, userId: undefined }));
vi.mock("@/lib/db", () => ({
  get db() {
    return state.db;
  },
}));
vi.mock("@/lib/auth", () => ({
  auth: vi.fn(() =>
    Promise.resolve(
      state.userId
        ? { user: { id: state.userId }, expires: new Date(Date.now() + 60_000).toISOString(), sessionVersion: 0 }
        : null,
    ),
  ),
}));
// Outside a request Next has no cache to revalidate; the action's call is what matters.
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const { setTimeZoneAction } = await import("@/app/(app)/members/actions");
const { revalidatePath } = await import("next/cache");
const { loadMemberContext } = await import("@/lib/session");
const { SESSION_ENDED } = await import("@/lib/action");
const { TIME_ZONE_REFUSED } = await import("@/lib/validation/organisation");
const { checkTimeline, loadAlertsView } = await import("@/lib/watch/alert-settings");

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("time-zone");
  state.db = t.db;
});
afterAll(async () => {
  await t.drop();
});
beforeEach(() => {
  state.userId = undefined;
  vi.mocked(revalidatePath).mockClear();
});

async function orgWith(role: Role, name: string) {
  const org = await createOrg(t.db, name);
  const member = await person(t.db, org.id, { role });
  return { org, member };
}

const zoneOf = async (orgId: string) =>
  (await t.db.organisation.findUniqueOrThrow({ where: { id: orgId }, select: { timeZone: true } })).timeZone;

const setZone = (timeZone: unknown, extra: Record<string, string> = {}) =>
  setTimeZoneAction({}, { timeZone: timeZone as string, ...extra });

describe("setTimeZoneAction", () => {
  it("lets an owner or an admin set the zone, records who changed it from what, and re-renders every page", async () => {
    for (const role of ["OWNER", "ADMIN"] as const) {
      const { org, member } = await orgWith(role, `${role} Clinic`);
      const bystander = await createOrg(t.db, `Next door to ${role}`);
      state.userId = member.id;

      expect(await setZone("Europe/Berlin")).toMatchObject({
        ok: true,
        message: "Times are now shown in Europe/Berlin.",
      });
      expect(await zoneOf(org.id)).toBe("Europe/Berlin");
      expect(await zoneOf(bystander.id)).toBe("UTC");
      expect(revalidatePath).toHaveBeenCalledWith("/", "layout");
      const events = await t.db.auditEvent.findMany({ where: { orgId: org.id } });
      expect(events).toEqual([
        expect.objectContaining({
          action: "organisation.time_zone",
          actorId: member.id,
          details: { from: "UTC", to: "Europe/Berlin" },
        }),
      ]);
    }
  });

  it("saves a zone under its canonical name, and a save of the same zone changes and records nothing", async () => {
    const { org, member } = await orgWith("OWNER", "Alias Clinic");
    state.userId = member.id;
    expect(await setZone("Etc/UTC")).toMatchObject({ ok: true, message: "No change: that is the zone already." });
    expect(await t.db.auditEvent.count({ where: { orgId: org.id } })).toBe(0);
    expect(revalidatePath).not.toHaveBeenCalled();
  });

  it("refuses a member, and anyone signed out, without changing the zone", async () => {
    const { org, member } = await orgWith("MEMBER", "Member Clinic");
    state.userId = member.id;
    expect(await setZone("Europe/Berlin")).toMatchObject({
      ok: false,
      message: "Only owners and admins can do this. Your role is member.",
    });
    state.userId = undefined;
    expect(await setZone("Europe/Berlin")).toMatchObject({ ok: false, message: SESSION_ENDED });
    expect(await zoneOf(org.id)).toBe("UTC");
    expect(await t.db.auditEvent.count({ where: { orgId: org.id } })).toBe(0);
  });

  it.each([["Mars/Olympus_Mons"], [""], ["+05:00"], [undefined]])(
    "refuses the zone %j by field, keeping the saved one",
    async (timeZone) => {
      const { org, member } = await orgWith("ADMIN", `Bad zone ${String(timeZone)}`);
      state.userId = member.id;
      const result = await setZone(timeZone);
      expect(result).toMatchObject({ ok: false, errors: { timeZone: [TIME_ZONE_REFUSED] } });
      expect(await zoneOf(org.id)).toBe("UTC");
    },
  );

  it("refuses a field the form does not have (another organisation's id)", async () => {
    const { org, member } = await orgWith("OWNER", "Strict Clinic");
    const other = await createOrg(t.db, "Target Clinic");
    state.userId = member.id;
    expect(await setZone("Europe/Berlin", { orgId: other.id })).toMatchObject({ ok: false });
    expect([await zoneOf(org.id), await zoneOf(other.id)]).toEqual(["UTC", "UTC"]);
  });
});

describe("the organisation's zone where times are shown", () => {
  it("comes with the signed-in member, read with the organisation", async () => {
    const { org, member } = await orgWith("MEMBER", "Context Clinic");
    await t.db.organisation.update({ where: { id: org.id }, data: { timeZone: "Australia/Sydney" } });
    const ctx = await loadMemberContext(t.db, { userId: member.id, sessionVersion: 0 });
    expect(ctx?.org).toEqual({ id: org.id, name: "Context Clinic", timeZone: "Australia/Sydney" });
  });

  it("groups the checks of the last 30 days by the organisation's days", async () => {
    const org = await createOrg(t.db, "Timeline Clinic");
    const now = new Date("2026-12-03T15:00:00Z");
    // 23:30 UTC on 2 December is 10:30 on 3 December in Sydney (UTC+11 in summer).
    const late = new Date("2026-12-02T23:30:00Z");
    await t.db.accountCheck.createMany({
      data: [
        { orgId: org.id, checkedAt: late, ok: true, durationMs: 1 },
        { orgId: org.id, checkedAt: new Date("2026-12-02T10:00:00Z"), ok: false, durationMs: 1 },
      ],
    });
    const inUtc = await checkTimeline(t.db, { id: org.id, timeZone: "UTC" }, now);
    expect(inUtc.days.at(-1)).toEqual({ day: "2026-12-03", total: 0, passed: 0 });
    expect(inUtc.days.at(-2)).toEqual({ day: "2026-12-02", total: 2, passed: 1 });

    const inSydney = await checkTimeline(t.db, { id: org.id, timeZone: "Australia/Sydney" }, now);
    expect(inSydney.days).toHaveLength(30);
    expect(inSydney.days.at(-1)).toEqual({ day: "2026-12-04", total: 0, passed: 0 });
    expect(inSydney.days.at(-2)).toEqual({ day: "2026-12-03", total: 1, passed: 1 });
    expect(inSydney.days.at(-3)).toEqual({ day: "2026-12-02", total: 1, passed: 0 });
    expect(inSydney).toMatchObject({ total: 2, passed: 1 });
  });

  it("shows the alert deliveries' times in the organisation's zone, with UTC for the tooltip", async () => {
    const org = await createOrg(t.db, "Alerts Clinic");
    const at = new Date("2026-12-03T15:05:00Z");
    await t.db.alertDelivery.create({
      data: {
        orgId: org.id,
        event: "alert.test",
        channel: "webhook",
        target: "hooks.example",
        payload: {},
        status: "SENT",
        nextAttemptAt: at,
        createdAt: at,
        sentAt: at,
      },
    });
    const view = await loadAlertsView(t.db, { id: org.id, timeZone: "Europe/Berlin" });
    expect(view.deliveries[0].at).toEqual({
      iso: "2026-12-03T15:05:00.000Z",
      text: "3 Dec 2026, 16:05 CET",
      utc: "3 Dec 2026, 15:05 UTC",
    });
  });
});
