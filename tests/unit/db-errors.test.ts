// isUniqueViolation: Prisma's P2002 and nothing else, whatever else looks like it.
import { describe, expect, it } from "vitest";
import { isDatabaseFailure, isUniqueViolation } from "@/lib/db-errors";
import { Prisma } from "@/lib/generated/postgres/client";
import { Prisma as SqlitePrisma } from "@/lib/generated/sqlite/client";

const known = (code: string, P: typeof Prisma | typeof SqlitePrisma = SqlitePrisma) =>
  new P.PrismaClientKnownRequestError("refused", { code, clientVersion: "6.19.3" });

describe("isUniqueViolation", () => {
  it("recognises P2002 from either generated client", () => {
    expect(isUniqueViolation(known("P2002"))).toBe(true);
    expect(isUniqueViolation(known("P2002", Prisma))).toBe(true);
  });

  it("refuses other Prisma errors, look-alikes and non-errors", () => {
    expect(isUniqueViolation(known("P2003"))).toBe(false);
    expect(isUniqueViolation(known("P2025"))).toBe(false);
    expect(isUniqueViolation(Object.assign(new Error("duplicate"), { code: "P2002" }))).toBe(false);
    expect(isUniqueViolation({ code: "P2002" })).toBe(false);
    for (const value of [new Error("P2002"), "P2002", null, undefined, 0]) expect(isUniqueViolation(value)).toBe(false);
  });
});

describe("isDatabaseFailure", () => {
  it("counts Prisma's errors, errors passed on by the Prisma client, the drivers' and connection errors", () => {
    expect(
      isDatabaseFailure(new Prisma.PrismaClientKnownRequestError("x", { code: "P1001", clientVersion: "6.19.3" })),
    ).toBe(true);
    expect(isDatabaseFailure(new Prisma.PrismaClientUnknownRequestError("x", { clientVersion: "6.19.3" }))).toBe(true);
    expect(
      isDatabaseFailure(
        Object.assign(new Error("Connection terminated due to connection timeout"), { clientVersion: "6.19.3" }),
      ),
    ).toBe(true);
    expect(
      isDatabaseFailure(
        Object.assign(new Error("attempt to write a readonly database"), {
          name: "SqliteError",
          code: "SQLITE_READONLY",
        }),
      ),
    ).toBe(true);
    expect(isDatabaseFailure(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(
      isDatabaseFailure(
        Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      ),
    ).toBe(true);
    expect(isDatabaseFailure(Object.assign(new Error('database "x" does not exist'), { code: "3D000" }))).toBe(true);
    // Not the database: the app's own mistakes and the user's input.
    for (const other of [
      new Error("boom"),
      new TypeError("x is undefined"),
      Object.assign(new Error("bad"), { code: "ERR_INVALID_ARG" }),
      null,
      "text",
    ]) {
      expect(isDatabaseFailure(other)).toBe(false);
    }
  });
});
