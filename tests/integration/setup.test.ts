import { beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase, useTestDatabase } from "../helpers/database";
import { verifyPassword } from "@/lib/password";
import type { SetupInput } from "@/lib/validation/account";

// isSetupComplete remembers "complete" in a module-level flag, so each test imports lib/setup afresh
// (and lib/errors with it: after resetModules the error class is a new one).
let setup: typeof import("@/lib/setup");
let UserFacingError: typeof import("@/lib/errors").UserFacingError;
beforeEach(async () => {
  vi.resetModules();
  setup = await import("@/lib/setup");
  ({ UserFacingError } = await import("@/lib/errors"));
});

const input: SetupInput = {
  organisationName: "Acme Finance",
  name: "Ana Owner",
  email: "ana@example.com",
  password: "correct mule staple 42",
  timeZone: "Europe/Berlin",
};

describe("first-run setup", () => {
  const database = useTestDatabase("setup");

  it("creates the organisation, the owner, the membership and an audit event, then closes", async () => {
    expect(await setup.isSetupComplete(database().db)).toBe(false);

    const { org, user } = await setup.completeSetup(database().db, input);
    expect(org).toMatchObject({ name: "Acme Finance", timeZone: "Europe/Berlin" });
    expect(user).toMatchObject({ email: "ana@example.com", name: "Ana Owner", mustChangePassword: false });
    expect(user).not.toHaveProperty("passwordHash");

    const stored = await database().db.user.findUniqueOrThrow({
      where: { id: user.id },
      omit: { passwordHash: false },
    });
    expect(await verifyPassword(input.password, stored.passwordHash)).toBe(true);

    const memberships = await database().db.membership.findMany();
    expect(memberships).toEqual([expect.objectContaining({ userId: user.id, orgId: org.id, role: "OWNER" })]);

    const events = await database().db.auditEvent.findMany();
    expect(events).toEqual([
      expect.objectContaining({ orgId: org.id, actorId: user.id, actorEmail: user.email, action: "setup.completed" }),
    ]);
    expect(events[0].details).toEqual({ organisation: "Acme Finance" });
    expect(JSON.stringify(events[0].details)).not.toContain(input.password);

    expect(await setup.isSetupComplete(database().db)).toBe(true);
  });

  it("refuses a second setup and changes nothing", async () => {
    // A fresh module: the refusal must come from the database, not from the in-memory flag.
    const err = await setup
      .completeSetup(database().db, { ...input, organisationName: "Second Org", email: "eve@example.com" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toBe(setup.SETUP_CLOSED_MESSAGE);

    expect(await database().db.organisation.count()).toBe(1);
    expect(await database().db.user.count()).toBe(1);
    expect(await database().db.user.findUnique({ where: { email: "eve@example.com" } })).toBeNull();
    expect(await setup.isSetupComplete(database().db)).toBe(true);
  });
});

describe("concurrent first-run setup", () => {
  const database = useTestDatabase("setup-race");

  it("lets exactly one of two simultaneous setups win", async () => {
    const results = await Promise.allSettled([
      setup.completeSetup(database().db, { ...input, email: "first@example.com", organisationName: "First" }),
      setup.completeSetup(database().db, { ...input, email: "second@example.com", organisationName: "Second" }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(UserFacingError);
    expect((lost[0].reason as Error).message).toBe(setup.SETUP_CLOSED_MESSAGE);

    expect(await database().db.organisation.count()).toBe(1);
    expect(await database().db.user.count()).toBe(1);
    expect(await database().db.membership.count({ where: { role: "OWNER" } })).toBe(1);
    expect(await database().db.setupLock.count()).toBe(1);
  });

  it("also holds across two separate clients of the same file (two app instances)", async () => {
    // Fresh database, two Prisma clients, as two processes would have.
    const other = await createTestDatabase("setup-race-2");
    const { createPrismaClient } = await import("@/lib/prisma");
    const { parseDatabaseUrl } = await import("@/lib/database-url");
    const second = createPrismaClient(parseDatabaseUrl(other.url));
    try {
      const results = await Promise.allSettled([
        setup.completeSetup(other.db, { ...input, email: "first@example.com" }),
        setup.completeSetup(second, { ...input, email: "second@example.com" }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(rejected?.reason).toBeInstanceOf(UserFacingError);
      expect(await other.db.user.count()).toBe(1);
      expect(await other.db.organisation.count()).toBe(1);
    } finally {
      await second.$disconnect();
      await other.drop();
    }
  });
});
