import { describe, expect, it } from "vitest";
import { clientAddressFrom } from "@/lib/sign-in";

describe("clientAddressFrom", () => {
  it("takes the rightmost X-Forwarded-For entry (the one the nearest proxy added)", () => {
    const headers = new Headers({ "x-forwarded-for": "1.1.1.1, 10.0.0.5,  203.0.113.7 " });
    expect(clientAddressFrom(headers)).toBe("203.0.113.7");
  });

  it("ignores empty entries in X-Forwarded-For", () => {
    expect(clientAddressFrom(new Headers({ "x-forwarded-for": "198.51.100.1, ," }))).toBe("198.51.100.1");
  });

  it("prefers X-Forwarded-For over X-Real-IP", () => {
    const headers = new Headers({ "x-forwarded-for": "203.0.113.7", "x-real-ip": "198.51.100.9" });
    expect(clientAddressFrom(headers)).toBe("203.0.113.7");
  });

  it("falls back to X-Real-IP", () => {
    expect(clientAddressFrom(new Headers({ "x-real-ip": " 198.51.100.9 " }))).toBe("198.51.100.9");
    expect(clientAddressFrom(new Headers({ "x-forwarded-for": " , ", "x-real-ip": "198.51.100.9" }))).toBe("198.51.100.9");
  });

  it("returns null without either header", () => {
    expect(clientAddressFrom(new Headers())).toBeNull();
    expect(clientAddressFrom(new Headers({ "x-real-ip": "  " }))).toBeNull();
  });

  it("caps the length so a huge header cannot become a huge key", () => {
    expect(clientAddressFrom(new Headers({ "x-forwarded-for": "a".repeat(500) }))).toHaveLength(64);
  });
});
