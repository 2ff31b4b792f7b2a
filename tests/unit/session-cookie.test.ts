// The session check every page and action makes: the user id from Auth.js's encrypted session cookie.
import crypto from "node:crypto";
import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { readSessionUserId } from "@/lib/session";

const SECRET = crypto.randomBytes(32).toString("base64url");
const COOKIE = "authjs.session-token";

function jar(cookies: Record<string, string>) {
  return { get: (name: string) => (name in cookies ? { value: cookies[name] } : undefined) };
}

async function token(sub: string, options: { secret?: string; salt?: string; maxAge?: number } = {}) {
  return encode({ token: { sub, name: "Ada" }, secret: options.secret ?? SECRET, salt: options.salt ?? COOKIE, maxAge: options.maxAge });
}

describe("readSessionUserId", () => {
  it("reads the user id from a cookie Auth.js made, under either cookie name", async () => {
    expect(await readSessionUserId(jar({ [COOKIE]: await token("user-1") }), SECRET)).toBe("user-1");
    const secure = `__Secure-${COOKIE}`;
    expect(await readSessionUserId(jar({ [secure]: await token("user-2", { salt: secure }) }), SECRET)).toBe("user-2");
  });

  it("joins a token split into numbered chunks", async () => {
    const whole = await token("user-3");
    const cut = Math.floor(whole.length / 2);
    expect(await readSessionUserId(jar({ [`${COOKIE}.0`]: whole.slice(0, cut), [`${COOKIE}.1`]: whole.slice(cut) }), SECRET)).toBe("user-3");
  });

  it("refuses no cookie, a tampered token, another secret, a token made for the other cookie name, and an expired one", async () => {
    expect(await readSessionUserId(jar({}), SECRET)).toBeNull();
    const good = await token("user-4");
    const tampered = good.slice(0, -6) + (good.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
    expect(await readSessionUserId(jar({ [COOKIE]: tampered }), SECRET)).toBeNull();
    expect(await readSessionUserId(jar({ [COOKIE]: await token("user-4", { secret: crypto.randomBytes(32).toString("base64url") }) }), SECRET)).toBeNull();
    expect(await readSessionUserId(jar({ [COOKIE]: await token("user-4", { salt: `__Secure-${COOKIE}` }) }), SECRET)).toBeNull();
    expect(await readSessionUserId(jar({ [COOKIE]: await token("user-4", { maxAge: -60 }) }), SECRET)).toBeNull();
    expect(await readSessionUserId(jar({ [COOKIE]: "not a token" }), SECRET)).toBeNull();
  });

  it("remembers a verified token only for that secret and only until it expires", async () => {
    const cookies = jar({ [COOKIE]: await token("user-5", { maxAge: 60 }) });
    expect(await readSessionUserId(cookies, SECRET)).toBe("user-5");
    expect(await readSessionUserId(cookies, SECRET)).toBe("user-5");
    // The same token under another secret is checked afresh, and fails.
    expect(await readSessionUserId(cookies, crypto.randomBytes(32).toString("base64url"))).toBeNull();
    // A minute and a bit later the remembered token has expired.
    expect(await readSessionUserId(cookies, SECRET, Date.now() + 61_000)).toBeNull();
  });
});
