// How each database, through its driver adapter, reports a duplicate key: isUniqueViolation must see it on
// SQLite and on PostgreSQL (TEST_DATABASE=postgresql), inside and outside a transaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { isUniqueViolation } from "@/lib/db-errors";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("db-errors");
});
afterAll(async () => {
  await t.drop();
});

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the write to be refused");
    },
    (err: unknown) => err,
  );

describe(`isUniqueViolation on ${process.env.TEST_DATABASE === "postgresql" ? "PostgreSQL" : "SQLite"}`, () => {
  it("sees a duplicate unique column", async () => {
    const user = { email: "dup@example.test", name: "Dup", passwordHash: "not-used" };
    await t.db.user.create({ data: user });
    expect(isUniqueViolation(await caught(t.db.user.create({ data: user })))).toBe(true);
  });

  it("sees a duplicate primary key inside an interactive transaction", async () => {
    await t.db.setupLock.create({ data: { id: 1 } });
    const err = await caught(t.db.$transaction(async (tx) => tx.setupLock.create({ data: { id: 1 } })));
    expect(isUniqueViolation(err)).toBe(true);
  });

  it("does not take another constraint for a duplicate", async () => {
    const err = await caught(
      t.db.membership.create({ data: { userId: "no-such-user", orgId: "no-such-org", role: "MEMBER" } }),
    );
    expect(isUniqueViolation(err)).toBe(false);
  });
});
