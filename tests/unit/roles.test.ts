import { describe, expect, it } from "vitest";
import { canAssignRole, hasRole } from "@/lib/roles";

describe("roles", () => {
  it("ranks owner above admin above member", () => {
    expect(hasRole("OWNER", "ADMIN")).toBe(true);
    expect(hasRole("ADMIN", "ADMIN")).toBe(true);
    expect(hasRole("MEMBER", "ADMIN")).toBe(false);
  });
  it("lets only an owner grant or change the owner role", () => {
    expect(canAssignRole("ADMIN", "MEMBER", "ADMIN")).toBe(true);
    expect(canAssignRole("ADMIN", "MEMBER", "OWNER")).toBe(false);
    expect(canAssignRole("ADMIN", "OWNER", "MEMBER")).toBe(false);
    expect(canAssignRole("OWNER", "OWNER", "MEMBER")).toBe(true);
    expect(canAssignRole("MEMBER", "MEMBER", "MEMBER")).toBe(false);
  });
});
