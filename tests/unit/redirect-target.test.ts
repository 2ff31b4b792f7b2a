import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "@/lib/redirect-target";
import { itReturns } from "../helpers/returns-table";

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
    // Known bypass forms: control characters browsers drop, backslashes they turn into slashes, dot segments.
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\u0000/evil.example",
    "/\t\t//evil.example",
    "/\\/evil.example",
    "/\\\\evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "/x/..//evil.example",
    "///evil.example",
    "https:evil.example",
    "https:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(document.cookie)",
    " /settings",
    "/sign-in/other",
  ])("falls back for %j", (value) => {
    expect(safeRedirectPath(value)).toBe("/");
    expect(safeRedirectPath(value, "/home")).toBe("/home");
  });

  itReturns("resolves %j to the local path %j", safeRedirectPath, [
    // Encoded forms stay encoded: a path on this site, never a host.
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%2Fevil.example", "/%2Fevil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
    ["/%5C%5Cevil.example", "/%5C%5Cevil.example"],
    // Resolved, not copied: dot segments collapse, and the path is what the browser would ask for.
    ["/settings/../members", "/members"],
    ["/settings/email?x=1#top", "/settings/email?x=1#top"],
    ["/settings email", "/settings%20email"],
  ]);

  it("falls back for anything that is not a string", () => {
    expect(safeRedirectPath(undefined)).toBe("/");
    expect(safeRedirectPath(null)).toBe("/");
    expect(safeRedirectPath(["/settings"])).toBe("/");
  });
});
