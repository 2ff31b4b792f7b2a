// isUniqueViolation: Prisma's P2002 and nothing else, whatever else looks like it.
import { describe, expect, it } from "vitest";
import { isUniqueViolation } from "@/lib/db-errors";
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
