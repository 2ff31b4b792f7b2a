import { describe, expect, it } from "vitest";
import { parseOAuthConfig } from "@/lib/smtp/sign-in-providers";

const parse = (vars: Record<string, string>, production = false) => {
  const problems: string[] = [];
  const config = parseOAuthConfig(vars, production, problems);
  return { config, problems };
};

describe("parseOAuthConfig", () => {
  it("configures nothing without client ids", () => {
    expect(parse({})).toEqual({ config: { appUrl: undefined, clients: {} }, problems: [] });
  });

  it("takes a provider's client, with Microsoft's and Google's default authorities", () => {
    const { config, problems } = parse({
      MICROSOFT_CLIENT_ID: "ms-id",
      MICROSOFT_CLIENT_SECRET: "ms-secret",
      GOOGLE_CLIENT_ID: "g-id",
      GOOGLE_CLIENT_SECRET: "g-secret",
      APP_URL: "https://finance.example.com/",
    });
    expect(problems).toEqual([]);
    expect(config).toEqual({
      appUrl: "https://finance.example.com",
      clients: {
        microsoft: {
          clientId: "ms-id",
          clientSecret: "ms-secret",
          authority: "https://login.microsoftonline.com/common/v2.0",
        },
        google: { clientId: "g-id", clientSecret: "g-secret", authority: "https://accounts.google.com" },
      },
    });
  });

  it("names what is missing or wrong", () => {
    expect(parse({ MICROSOFT_CLIENT_ID: "ms-id" }).problems).toEqual([
      "MICROSOFT_CLIENT_SECRET is required when MICROSOFT_CLIENT_ID is set",
    ]);
    expect(
      parse({ GOOGLE_CLIENT_ID: "g", GOOGLE_CLIENT_SECRET: "s", GOOGLE_AUTHORITY: "http://accounts.example" }).problems,
    ).toEqual(["GOOGLE_AUTHORITY must be an https:// URL (an OpenID issuer)"]);
    expect(parse({ APP_URL: "finance.example.com" }).problems).toEqual([
      "APP_URL must be an http:// or https:// URL, like https://finance-email.example.com",
    ]);
  });

  it("in production, a configured provider needs APP_URL (AUTH_URL will do)", () => {
    const client = { MICROSOFT_CLIENT_ID: "ms-id", MICROSOFT_CLIENT_SECRET: "ms-secret" };
    expect(parse(client, true).problems).toEqual([
      "APP_URL is required in production when a mail provider sign-in is configured (the address people open the app at)",
    ]);
    expect(parse({ ...client, AUTH_URL: "https://finance.example.com" }, true)).toMatchObject({
      problems: [],
      config: { appUrl: "https://finance.example.com" },
    });
    expect(parse({}, true).problems).toEqual([]);
  });
});
