import { describe, expect, it } from "vitest";
import { supportLinks } from "@/lib/support";

describe("who to contact about this app", () => {
  it("the operator's page first, then the address, as links; none without either", () => {
    expect(supportLinks({ url: "https://help.example.com/finance/", email: "help@example.com" })).toEqual([
      { href: "https://help.example.com/finance/", label: "help.example.com/finance" },
      { href: "mailto:help@example.com", label: "help@example.com" },
    ]);
    expect(supportLinks({ url: null, email: "help@example.com" })).toEqual([
      { href: "mailto:help@example.com", label: "help@example.com" },
    ]);
    expect(supportLinks({ url: null, email: null })).toEqual([]);
  });
});
