import { expect, type Page } from "@playwright/test";
import {
  fillCustomSettings,
  saveSettings,
  seedOrganisation,
  signIn,
  startApp,
  test,
  useFreshApp,
  type TestApp,
} from "./support/app";

// Every page is served with the Content-Security-Policy and works under it: no violation is reported by the
// browser, while pages load, hydrate and run a server action.
const app = useFreshApp();

test.beforeAll(async () => {
  await seedOrganisation(app(), "Harbour Accounting", [
    { email: "owner@harbour.example", name: "Olive Owner", role: "OWNER" },
  ]);
});

async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener("securitypolicyviolation", (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

const HSTS = "max-age=63072000; includeSubDomains";

test("the policy header: self only, no eval, no plugins, no framing, forms post only here", async ({ request }) => {
  for (const path of ["/help", "/sign-in", "/api/health"]) {
    const res = await request.get(path);
    const csp = res.headers()["content-security-policy"];
    expect(csp, path).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'[^;]*/);
    expect(csp).not.toContain("unsafe-eval");
    for (const directive of ["object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"])
      expect(csp).toContain(directive);
  }
});

test("with no trusted proxy, a client's X-Forwarded-Host and X-Forwarded-Proto choose neither links nor HSTS", async () => {
  const forwarded = { "X-Forwarded-Host": "finance-email.attacker.example", "X-Forwarded-Proto": "https" };
  const signInFirst = await fetch(`${app().baseURL}/api/oauth/microsoft/callback?code=c&state=s`, {
    headers: forwarded,
    redirect: "manual",
  });
  expect(signInFirst.status).toBe(303);
  expect(signInFirst.headers.get("location")).toMatch(new RegExp(`^${app().baseURL}/sign-in\\?`));
  const help = await fetch(`${app().baseURL}/help`, { headers: forwarded });
  expect(help.headers.get("strict-transport-security")).toBeNull();
});

/** Starts another app for a header test, runs it, stops it. */
async function withApp(env: Record<string, string>, run: (other: TestApp) => Promise<void>) {
  test.setTimeout(90_000);
  const other = await startApp(env);
  try {
    await run(other);
  } finally {
    await other.stop();
  }
}

test("HSTS follows APP_URL's scheme: every response of an https:// APP_URL carries it", async () => {
  await withApp({ APP_URL: "https://finance-email.example" }, async (other) => {
    for (const path of ["/help", "/sign-in", "/api/health"]) {
      const res = await fetch(`${other.baseURL}${path}`, { redirect: "manual" });
      expect(res.headers.get("strict-transport-security"), path).toBe(HSTS);
    }
  });
});

test("an http:// APP_URL gets no HSTS even when a trusted proxy says https; a proxy's own word counts without APP_URL", async () => {
  await withApp({ APP_URL: "http://finance-email.internal", TRUSTED_PROXY_HOPS: "1" }, async (other) => {
    const res = await fetch(`${other.baseURL}/help`, { headers: { "X-Forwarded-Proto": "https" } });
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });
  await withApp({ TRUSTED_PROXY_HOPS: "1" }, async (other) => {
    const res = await fetch(`${other.baseURL}/help`, { headers: { "X-Forwarded-Proto": "https" } });
    expect(res.headers.get("strict-transport-security")).toBe(HSTS);
    expect((await fetch(`${other.baseURL}/help`)).headers.get("strict-transport-security")).toBeNull();
  });
});

test("no page reports a policy violation, signed out or signed in, including a save through a server action", async ({
  page,
}) => {
  const violations = await watchViolations(page);
  const visit = async (path: string) => {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    expect(await violations(), path).toEqual([]);
  };
  for (const path of [
    "/sign-in",
    "/help",
    "/help/google-mail-smtp",
    "/help/troubleshooting",
    "/help/microsoft-365-smtp",
    "/no-such-page",
  ])
    await visit(path);
  await signIn(page, "owner@harbour.example");
  for (const path of ["/", "/settings/email", "/members", "/account", "/change-password"]) await visit(path);

  await page.goto("/settings/email");
  await fillCustomSettings(page, {
    host: "smtp.harbour.example",
    port: "587",
    user: "accounts@harbour.example",
    password: "a-password-for-smtp",
  });
  await saveSettings(page);
  expect(await violations()).toEqual([]);
});

test("/api/metrics does not exist unless the operator sets METRICS_TOKEN", async ({ request }) => {
  const res = await request.get("/api/metrics", { headers: { Authorization: "Bearer anything-at-all-here" } });
  expect(res.status()).toBe(404);
  expect(await res.text()).not.toContain("fes_");
});
