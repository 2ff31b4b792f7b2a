import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvError, loadDatabaseTarget, loadEnv } from "@/lib/env";

// Every test gets its own temp folder as cwd and a hand-made env object; process.env is never read.
let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), "fes-env-"));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

/** loadEnv over a hand-made environment (NODE_ENV may be absent, which the ProcessEnv type does not allow). */
const load = (vars: Record<string, string>) => loadEnv(vars as NodeJS.ProcessEnv, cwd);

const goodKey = () => crypto.randomBytes(32).toString("base64");
const goodSecret = () => crypto.randomBytes(32).toString("base64url");

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as EnvError).problems;
  }
  throw new Error("expected loadEnv to throw");
}

describe("loadEnv: embedded default", () => {
  it("generates data/secrets.json once with mode 0600 and reuses it on the next load", () => {
    const first = load({});
    const file = path.join(cwd, "data", "secrets.json");
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.embedded).toBe(true);
    expect(first.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(first.SETTINGS_ENCRYPTION_KEY, "base64")).toHaveLength(32);
    expect(first.database).toEqual({
      provider: "sqlite",
      url: "file:./data/app.db",
      filePath: path.join(cwd, "data/app.db"),
    });

    const contents = fs.readFileSync(file, "utf8");
    const second = load({});
    expect(second.AUTH_SECRET).toBe(first.AUTH_SECRET);
    expect(second.SETTINGS_ENCRYPTION_KEY).toBe(first.SETTINGS_ENCRYPTION_KEY);
    expect(fs.readFileSync(file, "utf8")).toBe(contents);
  });

  it("prefers secrets given in the environment over the generated file", () => {
    const AUTH_SECRET = goodSecret();
    const SETTINGS_ENCRYPTION_KEY = goodKey();
    const env = load({ AUTH_SECRET, SETTINGS_ENCRYPTION_KEY });
    expect(env.AUTH_SECRET).toBe(AUTH_SECRET);
    expect(env.SETTINGS_ENCRYPTION_KEY).toBe(SETTINGS_ENCRYPTION_KEY);
    // nothing was missing, so nothing was written
    expect(fs.existsSync(path.join(cwd, "data", "secrets.json"))).toBe(false);
  });

  it("stays embedded in production without a DATABASE_URL", () => {
    const env = load({ NODE_ENV: "production" });
    expect(env.isProduction).toBe(true);
    expect(env.embedded).toBe(true);
    expect(fs.existsSync(path.join(cwd, "data", "secrets.json"))).toBe(true);
  });
});

describe("loadEnv: production with its own database", () => {
  const production = { NODE_ENV: "production", DATABASE_URL: "file:./prod.db" };

  it("names each missing secret and writes no secrets file", () => {
    const problems = problemsOf(() => load({ ...production }));
    expect(problems).toHaveLength(2);
    expect(problems.some((p) => p.startsWith("AUTH_SECRET is required"))).toBe(true);
    expect(problems.some((p) => p.startsWith("SETTINGS_ENCRYPTION_KEY is required"))).toBe(true);
    expect(fs.existsSync(path.join(cwd, "data", "secrets.json"))).toBe(false);
  });

  it("names only the secret that is missing", () => {
    const problems = problemsOf(() => load({ ...production, AUTH_SECRET: goodSecret() }));
    expect(problems).toEqual([expect.stringMatching(/^SETTINGS_ENCRYPTION_KEY is required/)]);
  });

  it("loads when both secrets are given", () => {
    const env = load({ ...production, AUTH_SECRET: goodSecret(), SETTINGS_ENCRYPTION_KEY: goodKey() });
    expect(env.embedded).toBe(false);
    expect(env.database).toMatchObject({ provider: "sqlite", filePath: path.join(cwd, "prod.db") });
  });
});

describe("loadEnv: bad values", () => {
  it.each([
    ["not base64", "this is not base64!!"],
    ["16 bytes", crypto.randomBytes(16).toString("base64")],
    ["64 bytes", crypto.randomBytes(64).toString("base64")],
  ])("rejects a SETTINGS_ENCRYPTION_KEY that is %s", (_label, key) => {
    const problems = problemsOf(() => load({ AUTH_SECRET: goodSecret(), SETTINGS_ENCRYPTION_KEY: key }));
    expect(problems).toEqual([expect.stringMatching(/^SETTINGS_ENCRYPTION_KEY must be 32 bytes/)]);
  });

  it("rejects a short AUTH_SECRET", () => {
    const problems = problemsOf(() => load({ AUTH_SECRET: "short", SETTINGS_ENCRYPTION_KEY: goodKey() }));
    expect(problems).toEqual([expect.stringMatching(/^AUTH_SECRET must be at least 32 characters/)]);
  });

  it.each(["mysql://user@localhost/app", "http://example.com/db", "app.db"])("rejects DATABASE_URL %s", (url) => {
    const problems = problemsOf(() => load({ DATABASE_URL: url }));
    expect(problems).toEqual([expect.stringContaining("DATABASE_URL must be a file: URL")]);
  });

  it("rejects a file: URL without a path", () => {
    const problems = problemsOf(() => load({ DATABASE_URL: "file:" }));
    expect(problems).toEqual([expect.stringContaining("needs a path")]);
  });

  it("rejects a SMTP_ALLOW_PRIVATE_NETWORKS that is not a boolean", () => {
    const problems = problemsOf(() => load({ SMTP_ALLOW_PRIVATE_NETWORKS: "maybe" }));
    expect(problems).toEqual(["SMTP_ALLOW_PRIVATE_NETWORKS must be true or false"]);
    expect(load({ SMTP_ALLOW_PRIVATE_NETWORKS: "TRUE" }).SMTP_ALLOW_PRIVATE_NETWORKS).toBe(true);
    expect(load({}).SMTP_ALLOW_PRIVATE_NETWORKS).toBe(false);
  });

  it("keeps webhooks to public addresses on port 443 whatever SMTP_ALLOW_PRIVATE_NETWORKS says; WEBHOOK_* change that", () => {
    const httpsOnly = { ports: [443], ranges: [] };
    expect(load({}).webhooks).toEqual({ allowPrivate: false, allowedPorts: httpsOnly });
    expect(load({ SMTP_ALLOW_PRIVATE_NETWORKS: "true", SMTP_ALLOWED_PORTS: "1-65535" }).webhooks).toEqual({
      allowPrivate: false,
      allowedPorts: httpsOnly,
    });
    expect(load({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "1", WEBHOOK_ALLOWED_PORTS: "443, 8000-8099" }).webhooks).toEqual({
      allowPrivate: true,
      allowedPorts: { ports: [443], ranges: [[8000, 8099]] },
    });
    expect(load({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true" }).SMTP_ALLOW_PRIVATE_NETWORKS).toBe(false);
    expect(problemsOf(() => load({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "yes", WEBHOOK_ALLOWED_PORTS: "https" }))).toEqual([
      "WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false",
      "WEBHOOK_ALLOWED_PORTS must be comma-separated ports or ranges of ports, like 443,8443 or 8000-8099",
    ]);
  });

  it("SUPPORT_URL and SUPPORT_EMAIL: who people contact, each optional; a bad one is named", () => {
    expect(load({}).support).toEqual({ url: null, email: null });
    expect(
      load({ SUPPORT_URL: " https://help.example.com/finance ", SUPPORT_EMAIL: "help@example.com" }).support,
    ).toEqual({
      url: "https://help.example.com/finance",
      email: "help@example.com",
    });
    expect(problemsOf(() => load({ SUPPORT_URL: "help.example.com", SUPPORT_EMAIL: "help at example" }))).toEqual([
      "SUPPORT_URL must be an http:// or https:// address, like https://help.example.com",
      "SUPPORT_EMAIL must be an email address, like help@example.com",
    ]);
  });

  it("SESSION_MAX_AGE_DAYS: 7 days by default, 1 to 90 whole days", () => {
    expect(load({}).sessionMaxAgeSeconds).toBe(7 * 86_400);
    expect(load({ SESSION_MAX_AGE_DAYS: "1" }).sessionMaxAgeSeconds).toBe(86_400);
    for (const bad of ["0", "91", "1.5", "week"]) {
      expect(problemsOf(() => load({ SESSION_MAX_AGE_DAYS: bad }))).toEqual([
        "SESSION_MAX_AGE_DAYS must be a whole number of days from 1 to 90",
      ]);
    }
  });

  it("TRUSTED_PROXY_HOPS: a bad value is listed with the other problems", () => {
    expect(problemsOf(() => load({ TRUSTED_PROXY_HOPS: "two" }))).toEqual([
      expect.stringMatching(/^TRUSTED_PROXY_HOPS must be a whole number from 0 to 10/),
    ]);
    expect(() => load({ TRUSTED_PROXY_HOPS: "2" })).not.toThrow();
  });
});

describe("loadEnv: a production deployment names every missing variable", () => {
  it.each([
    ["DATABASE_URL", { AUTH_SECRET: "a".repeat(40), SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }],
    [
      "AUTH_SECRET",
      {
        DATABASE_URL: "postgresql://app@db.internal/app",
        SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      },
    ],
    ["SETTINGS_ENCRYPTION_KEY", { DATABASE_URL: "postgresql://app@db.internal/app", AUTH_SECRET: "a".repeat(40) }],
  ])("stops without %s", (missing, given) => {
    let message = "";
    try {
      loadEnv({ NODE_ENV: "production", ...given }, fs.mkdtempSync(path.join(os.tmpdir(), "fes-env-")));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${missing} is required in production`);
    for (const other of ["DATABASE_URL", "AUTH_SECRET", "SETTINGS_ENCRYPTION_KEY"].filter((n) => n !== missing)) {
      expect(message).not.toContain(`${other} is required`);
    }
  });
});

describe("loadEnv: METRICS_TOKEN", () => {
  it("is optional, and at least 16 characters when set", () => {
    expect(
      loadEnv({} as NodeJS.ProcessEnv, fs.mkdtempSync(path.join(os.tmpdir(), "fes-env-m-"))).metricsToken,
    ).toBeUndefined();
    expect(problemsOf(() => load({ METRICS_TOKEN: "short" }))).toEqual([
      "METRICS_TOKEN must be at least 16 characters (generate one with: openssl rand -hex 16)",
    ]);
    expect(load({ METRICS_TOKEN: "a-long-enough-metrics-token" }).metricsToken).toBe("a-long-enough-metrics-token");
  });
});

describe("loadEnv: the scheduled checks", () => {
  it("ACCOUNT_CHECK_INTERVAL_MINUTES: every 6 hours by default, at least 1 minute; CHECK_CONCURRENCY 20; workers on unless WORKER=off", () => {
    expect(load({}).watch).toEqual({ intervalMinutes: 360, concurrency: 20, worker: true });
    expect(load({ ACCOUNT_CHECK_INTERVAL_MINUTES: "1", CHECK_CONCURRENCY: "5", WORKER: "off" }).watch).toEqual({
      intervalMinutes: 1,
      concurrency: 5,
      worker: false,
    });
    expect(load({ WORKER: "ON" }).watch.worker).toBe(true);
    for (const bad of ["0", "1.5", "ten", "10081"]) {
      expect(problemsOf(() => load({ ACCOUNT_CHECK_INTERVAL_MINUTES: bad }))).toEqual([
        "ACCOUNT_CHECK_INTERVAL_MINUTES must be a whole number of minutes from 1 to 10080",
      ]);
    }
    expect(problemsOf(() => load({ CHECK_CONCURRENCY: "0" }))).toEqual([
      "CHECK_CONCURRENCY must be a whole number of checks from 1 to 500",
    ]);
    expect(problemsOf(() => load({ WORKER: "no" }))).toEqual(["WORKER must be on or off"]);
  });
});

describe("loadEnv: DNS_SERVERS", () => {
  it("is optional; comma-separated IP addresses with optional ports", () => {
    expect(load({}).dnsServers).toBeUndefined();
    expect(load({ DNS_SERVERS: "10.0.0.2:53, [fd00::53]:5353,127.0.0.1" }).dnsServers).toEqual([
      "10.0.0.2:53",
      "[fd00::53]:5353",
      "127.0.0.1",
    ]);
    expect(problemsOf(() => load({ DNS_SERVERS: "dns.example.com:53" }))).toEqual([
      "DNS_SERVERS must be comma-separated IP addresses with optional ports, like 10.0.0.2:53,[fd00::53]:53",
    ]);
  });
});

describe("loadEnv: HOSTS_FILE", () => {
  it("is /etc/hosts by default; otherwise an absolute path to a readable file, and names are looked up there then in DNS_SERVERS", () => {
    expect(load({}).nameSources).toEqual({ hostsFile: "/etc/hosts", dnsServers: undefined });
    const file = path.join(cwd, "hosts");
    fs.writeFileSync(file, "127.0.0.1 smtp.relay.internal\n");
    const e = load({ HOSTS_FILE: file, DNS_SERVERS: "10.0.0.2:53" });
    expect(e.nameSources).toEqual({ hostsFile: file, dnsServers: ["10.0.0.2:53"] });
    expect(e.oauth.nameSources).toEqual(e.nameSources);
    expect(problemsOf(() => load({ HOSTS_FILE: "hosts" }))).toEqual([
      "HOSTS_FILE must be an absolute path, like /etc/hosts",
    ]);
    for (const unreadable of [path.join(cwd, "missing"), cwd])
      expect(problemsOf(() => load({ HOSTS_FILE: unreadable }))).toEqual([
        "HOSTS_FILE must be a file this process can read",
      ]);
  });
});

describe("loadEnv: every problem at once, no value quoted", () => {
  it("names each bad variable in one error and quotes none of the values", () => {
    const values = {
      NODE_ENV: "production",
      DATABASE_URL: "mysql://finance:db-pass-7Qx@db.internal",
      AUTH_SECRET: "auth-secret-too-short-9Zk",
      SESSION_MAX_AGE_DAYS: "ninety-one-days-Vb3",
      SMTP_ALLOW_PRIVATE_NETWORKS: "perhaps-Wm8",
      SMTP_ALLOWED_PORTS: "25,port-Hj4",
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: "sure-Fa2",
      WEBHOOK_ALLOWED_PORTS: "443,port-Kd8",
      METRICS_TOKEN: "metrics-Pr2",
      SETUP_TOKEN: "setup-Ty6",
      SYSTEM_MAIL_URL: "smtps://alerts:mail-pass-Lq5@",
      MICROSOFT_CLIENT_ID: "ms-client-Gd1",
      DNS_SERVERS: "resolver-Nc9.example",
      WORKER: "sometimes-Xe7",
    };
    let error: unknown;
    try {
      load(values);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const { problems, message } = error as EnvError;
    for (const name of [
      "DATABASE_URL must be a file: URL",
      "SETTINGS_ENCRYPTION_KEY is required in production",
      "AUTH_SECRET must be at least 32 characters",
      "SESSION_MAX_AGE_DAYS must be",
      "SMTP_ALLOW_PRIVATE_NETWORKS must be",
      "SMTP_ALLOWED_PORTS must be",
      "WEBHOOK_ALLOW_PRIVATE_NETWORKS must be",
      "WEBHOOK_ALLOWED_PORTS must be",
      "METRICS_TOKEN must be",
      "SETUP_TOKEN must be",
      "SYSTEM_MAIL_URL must",
      "SYSTEM_MAIL_FROM must",
      "MICROSOFT_CLIENT_SECRET is required",
      "APP_URL is required in production",
      "DNS_SERVERS must be",
      "WORKER must be",
    ]) {
      expect(
        problems.filter((p) => p.startsWith(name)),
        name,
      ).toHaveLength(1);
    }
    // Each value carries a code of its own (7Qx, 9Zk, …): none may appear anywhere in the message.
    for (const [name, value] of Object.entries(values).filter(([n]) => n !== "NODE_ENV")) {
      const code = /[0-9A-Z][0-9A-Za-z][0-9a-z](?=[@.]|$)/.exec(value)?.[0];
      expect(code, name).toBeDefined();
      expect(message, name).not.toContain(code);
    }
    expect(fs.existsSync(path.join(cwd, "data", "secrets.json"))).toBe(false);
  });

  it("lists a secrets file that is not JSON with the other problems", () => {
    fs.mkdirSync(path.join(cwd, "data"));
    fs.writeFileSync(path.join(cwd, "data", "secrets.json"), "{ not json");
    expect(problemsOf(() => load({ WORKER: "no" })).sort()).toEqual([
      `${path.join(cwd, "data", "secrets.json")} is not valid JSON: fix it, or delete it to generate new secrets (existing sessions and saved passwords will then need re-entering)`,
      "WORKER must be on or off",
    ]);
  });
});

describe("loadEnv: the generated secrets file", () => {
  const file = () => path.join(cwd, "data", "secrets.json");
  const write = (contents: object) => {
    fs.mkdirSync(path.join(cwd, "data"), { recursive: true });
    fs.writeFileSync(file(), JSON.stringify(contents));
  };

  it("names the file, not the value, when a secret in it is bad", () => {
    write({ AUTH_SECRET: "short-file-secret", SETTINGS_ENCRYPTION_KEY: goodKey() });
    const problems = problemsOf(() => load({}));
    expect(problems).toEqual([`AUTH_SECRET in ${file()} must be at least 32 characters`]);
    expect(problems.join("\n")).not.toContain("short-file-secret");
  });

  it("takes the previous keys from the file only when the key comes from it too", () => {
    const old = goodKey();
    write({ AUTH_SECRET: goodSecret(), SETTINGS_ENCRYPTION_KEY: goodKey(), SETTINGS_ENCRYPTION_KEYS_OLD: [old] });
    expect(load({})).toMatchObject({ previousEncryptionKeys: [old], encryptionKeySource: "secrets file" });
    expect(load({ SETTINGS_ENCRYPTION_KEY: goodKey() })).toMatchObject({
      previousEncryptionKeys: [],
      encryptionKeySource: "environment",
    });
    const fromEnv = goodKey();
    expect(load({ SETTINGS_ENCRYPTION_KEYS_OLD: ` ${fromEnv} ,` }).previousEncryptionKeys).toEqual([fromEnv]);

    write({
      AUTH_SECRET: goodSecret(),
      SETTINGS_ENCRYPTION_KEY: goodKey(),
      SETTINGS_ENCRYPTION_KEYS_OLD: ["not-a-key"],
    });
    expect(problemsOf(() => load({}))).toEqual([
      "SETTINGS_ENCRYPTION_KEYS_OLD must list 32-byte base64 keys, separated by commas",
    ]);
  });
});

describe("loadEnv: process.env itself", () => {
  it("reads an environment object that is not a plain object, as process.env is not", () => {
    class Environment {
      WORKER = "off";
    }
    expect(loadEnv(new Environment() as unknown as NodeJS.ProcessEnv, cwd).watch.worker).toBe(false);
  });
});

describe("loadEnv: PORT", () => {
  it("is 3000 by default, a whole number up to 65535 when set", () => {
    expect(load({}).port).toBe(3000);
    expect(load({ PORT: "8080" }).port).toBe(8080);
    expect(problemsOf(() => load({ PORT: "http" }))).toEqual(["PORT must be a whole number from 0 to 65535"]);
  });
});

describe("loadDatabaseTarget", () => {
  it("reads DATABASE_URL alone and writes no secrets file", () => {
    expect(
      loadDatabaseTarget({ DATABASE_URL: "file:./other.db", WORKER: "no" } as unknown as NodeJS.ProcessEnv, cwd),
    ).toEqual({
      provider: "sqlite",
      url: "file:./other.db",
      filePath: path.join(cwd, "other.db"),
    });
    expect(fs.existsSync(path.join(cwd, "data"))).toBe(false);
    expect(
      problemsOf(() => loadDatabaseTarget({ DATABASE_URL: "mysql://app@db/app" } as unknown as NodeJS.ProcessEnv, cwd)),
    ).toEqual(["DATABASE_URL must be a file: URL (SQLite) or a postgresql:// URL"]);
  });
});
