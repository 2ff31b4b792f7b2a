import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "@/lib/redirect-target";

describe("safeRedirectPath", () => {
  it.each(["/", "/settings/email", "/settings/members?tab=2#top"])("keeps the local path %j", (path) => {
    expect(safeRedirectPath(path)).toBe(path);
  });

  it.each([
    "//evil.com",
    "//evil.com/settings",
    "https://evil.com",
    "http://evil.com/",
    "/\\evil.com",
    "\\\\evil.com",
    "javascript:alert(1)",
    "settings",
    "",
    "/settings\r\nSet-Cookie: x=1",
    "/sign-in",
    "/sign-in?callbackUrl=/sign-in",
    "/api/auth/signout",
  ])("falls back for %j", (value) => {
    expect(safeRedirectPath(value)).toBe("/");
    expect(safeRedirectPath(value, "/home")).toBe("/home");
  });

  it("falls back for anything that is not a string", () => {
    expect(safeRedirectPath(undefined)).toBe("/");
    expect(safeRedirectPath(null)).toBe("/");
    expect(safeRedirectPath(["/settings"])).toBe("/");
  });
});
