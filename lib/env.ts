// The app's configuration: one zod schema over process.env, read once. Nothing else reads the app's own variables
// (but server.mjs, which reads PORT and TRUSTED_PROXY_HOPS before the app loads, with the same parser for the hops).
// Each variable's rule and the problem it names stand beside its name; start-up names every problem at once and
// never quotes a value (several are secrets). The embedded default needs no setup: missing secrets are generated
// once into the data folder (mode 0600). A production deployment (NODE_ENV=production and any of DATABASE_URL,
// AUTH_SECRET, SETTINGS_ENCRYPTION_KEY set) must pass all three in, and start-up names each one that is missing.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_DATABASE_TIMEOUTS, parseDatabaseUrl, type DatabaseTarget } from "./database-url";
import { parseMailPorts } from "./smtp/mail-ports";
import { parsePortRule } from "./net/ports";
import { parseTrustedProxyHops, TRUSTED_PROXY_HOPS_PROBLEM } from "./client-address.mjs";
import { parseOAuthConfig } from "./smtp/sign-in-providers";
import { parseSystemMail } from "./system-mail";
import { dnsServersProblem } from "./deliverability/dns-servers";

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration error:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

const variable = z.string().optional();
/** Surrounding spaces ignored; empty is unset. */
const trimmed = variable.transform((text) => text?.trim() || undefined);

/** A whole number from min to max (of `unit`), or the fallback when unset. */
function wholeNumber({ unit, fallback, min, max }: { unit?: string; fallback: number; min: number; max: number }) {
  return variable
    .transform((text) => (text ? Number(text) : fallback))
    .refine(
      (n) => Number.isInteger(n) && n >= min && n <= max,
      `must be a whole number ${unit ? `of ${unit} ` : ""}from ${min} to ${max}`,
    );
}

/** true or false (also 1 or 0, any case); unset is false. */
const flag = variable
  .transform((text) => (text ?? "").toLowerCase())
  .pipe(z.enum(["", "true", "false", "1", "0"], "must be true or false"))
  .transform((word) => word === "true" || word === "1");

/** A value read by a parser shared with code outside this module, which returns null for a bad value. */
function parsedBy<T>(parse: (text: string | undefined) => T | null, problem: string) {
  return variable.transform((text, ctx) => {
    const value = parse(text);
    if (value === null) ctx.addIssue(problem);
    return value ?? z.NEVER;
  });
}

/** Variables with rules of their own. */
const variables = (cwd: string) =>
  z.object({
    DATABASE_URL: variable.transform((text, ctx) => {
      try {
        return parseDatabaseUrl(text, cwd);
      } catch (err) {
        ctx.addIssue((err as Error).message);
        return z.NEVER;
      }
    }),
    /** For PostgreSQL, so a dead database fails in seconds. */
    DATABASE_CONNECT_TIMEOUT_MS: wholeNumber({
      unit: "milliseconds",
      fallback: DEFAULT_DATABASE_TIMEOUTS.connectTimeoutMs,
      min: 100,
      max: 600_000,
    }),
    DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber({
      unit: "milliseconds",
      fallback: DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs,
      min: 100,
      max: 600_000,
    }),
    /** How long a sign-in lasts at most, however active the session. */
    SESSION_MAX_AGE_DAYS: wholeNumber({ unit: "days", fallback: 7, min: 1, max: 90 }),
    /** The hosted first run's token, when the operator sets it (otherwise derived; lib/setup-token.ts). */
    SETUP_TOKEN: trimmed.refine(
      (token) => token === undefined || (token.length >= 16 && token.length <= 200),
      "must be 16 to 200 characters (generate one with: openssl rand -hex 16)",
    ),
    /** The bearer token for /api/metrics, which answers 404 without one. */
    METRICS_TOKEN: trimmed.pipe(
      z.string().min(16, "must be at least 16 characters (generate one with: openssl rand -hex 16)").optional(),
    ),
    /** The port `npm start` listens on; alert links use it when APP_URL is not set. */
    PORT: wholeNumber({ fallback: 3000, min: 0, max: 65_535 }),
    /** Used by server.mjs before the app loads; checked here too so a bad value is listed with the other problems. */
    TRUSTED_PROXY_HOPS: parsedBy(parseTrustedProxyHops, TRUSTED_PROXY_HOPS_PROBLEM),
    /** Whether a test send (and a sign-in provider's endpoints) may reach private addresses. */
    SMTP_ALLOW_PRIVATE_NETWORKS: flag,
    /** How long a test send may take in all before it is stopped with a timeout. */
    SMTP_TEST_TIMEOUT_MS: wholeNumber({ unit: "milliseconds", fallback: 15_000, min: 1000, max: 120_000 }),
    /** The ports a test send may use (lib/smtp/mail-ports.ts; default 25, 465, 587 and 2525). */
    SMTP_ALLOWED_PORTS: parsedBy(
      parseMailPorts,
      "must be comma-separated ports or ranges of ports, like 25,465,587,2525 or 2500-2599",
    ),
    /** Whether alert webhooks may go to private addresses: apart from the SMTP setting, which is for mail relays. */
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: flag,
    /** The ports an alert webhook may use: 443 only by default, so a webhook cannot scan a network. */
    WEBHOOK_ALLOWED_PORTS: parsedBy(
      (text) => parsePortRule(text, { ports: [443], ranges: [] }),
      "must be comma-separated ports or ranges of ports, like 443,8443 or 8000-8099",
    ),
    /** "host:port" entries asked instead of the system's resolvers: the deliverability checks, and server names. */
    DNS_SERVERS: variable
      .transform((text) =>
        text?.trim()
          ? text
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
      )
      .superRefine((servers, ctx) => {
        const problem = servers && dnsServersProblem(servers);
        if (problem) ctx.addIssue(problem);
      }),
    /** Read before DNS for server names (SMTP, webhooks, OpenID endpoints), as the system resolver reads /etc/hosts. */
    HOSTS_FILE: trimmed
      .refine((file) => file === undefined || path.isAbsolute(file), "must be an absolute path, like /etc/hosts")
      .refine((file) => {
        if (file === undefined || !path.isAbsolute(file)) return true;
        try {
          fs.accessSync(file, fs.constants.R_OK);
          return fs.statSync(file).isFile();
        } catch {
          return false;
        }
      }, "must be a file this process can read")
      .transform((file) => file ?? "/etc/hosts"),
    /** How often each account is checked: every 6 hours by default. */
    ACCOUNT_CHECK_INTERVAL_MINUTES: wholeNumber({ unit: "minutes", fallback: 360, min: 1, max: 10_080 }),
    /** Checks at once in one instance. */
    CHECK_CONCURRENCY: wholeNumber({ unit: "checks", fallback: 20, min: 1, max: 500 }),
    /** Where an organisation's people reach the people who run this app: a web page, an address, or both. */
    SUPPORT_URL: trimmed.refine(
      (text) => text === undefined || /^https?:\/\/[^\s]+$/i.test(text),
      "must be an http:// or https:// address, like https://help.example.com",
    ),
    SUPPORT_EMAIL: trimmed.refine(
      (text) => text === undefined || z.email().safeParse(text).success,
      "must be an email address, like help@example.com",
    ),
    /** off: this instance serves pages only and runs no checks (`npm run worker` runs them elsewhere). */
    WORKER: variable
      .transform((text) => (text ?? "on").trim().toLowerCase())
      .pipe(z.enum(["on", "off"], "must be on or off"))
      .transform((word) => word === "on"),
  });

const isEncryptionKey = (text: string) =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(text) && Buffer.from(text, "base64").length === 32;

/** The secrets, given in the environment or generated into the data folder's secrets.json. */
const secrets = z.object({
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
  SETTINGS_ENCRYPTION_KEY: z
    .string()
    .refine(isEncryptionKey, "must be 32 bytes, base64-encoded (generate one with: openssl rand -base64 32)"),
  /** Keys that may still decrypt stored secrets during a rotation (comma-separated in the environment). */
  SETTINGS_ENCRYPTION_KEYS_OLD: z.array(
    z.string().refine(isEncryptionKey, "must list 32-byte base64 keys, separated by commas"),
  ),
});
type SecretsFile = Partial<z.infer<typeof secrets>>;

const DEPLOYMENT_VARIABLES = ["DATABASE_URL", "AUTH_SECRET", "SETTINGS_ENCRYPTION_KEY"] as const;

/** Whether this is a production deployment or the embedded default, and the secrets that follow from it. */
const deployment = (cwd: string) =>
  z
    .object({
      NODE_ENV: variable,
      DATA_DIR: variable.transform((dir) => path.resolve(cwd, dir || "data")),
      DATABASE_URL: variable,
      AUTH_SECRET: variable,
      SETTINGS_ENCRYPTION_KEY: variable,
      SETTINGS_ENCRYPTION_KEYS_OLD: variable,
    })
    .transform((vars, ctx) => {
      const isProduction = vars.NODE_ENV === "production";
      // A production deployment is one that configures itself: with NODE_ENV=production, giving any of the three
      // means all three are required. With none, `npm start` runs the zero-setup embedded default.
      const given = DEPLOYMENT_VARIABLES.filter((name) => vars[name]?.trim());
      const embedded = !(isProduction && given.length > 0);
      if (!embedded) {
        for (const name of DEPLOYMENT_VARIABLES.filter((n) => !given.includes(n))) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `is required in production (NODE_ENV=production with ${given.join(", ")} set)`,
          });
        }
      }
      const file =
        embedded && (!vars.AUTH_SECRET || !vars.SETTINGS_ENCRYPTION_KEY) ? loadOrCreateSecretsFile(vars.DATA_DIR) : {};
      if (file === null) {
        ctx.addIssue(
          `${secretsFilePath(vars.DATA_DIR)} is not valid JSON: fix it, or delete it to generate new secrets (existing sessions and saved passwords will then need re-entering)`,
        );
        return z.NEVER;
      }
      const parsed = secrets.safeParse({
        AUTH_SECRET: vars.AUTH_SECRET || file.AUTH_SECRET,
        SETTINGS_ENCRYPTION_KEY: vars.SETTINGS_ENCRYPTION_KEY || file.SETTINGS_ENCRYPTION_KEY,
        SETTINGS_ENCRYPTION_KEYS_OLD: vars.SETTINGS_ENCRYPTION_KEYS_OLD
          ? vars.SETTINGS_ENCRYPTION_KEYS_OLD.split(",")
              .map((k) => k.trim())
              .filter(Boolean)
          : vars.SETTINGS_ENCRYPTION_KEY
            ? []
            : (file.SETTINGS_ENCRYPTION_KEYS_OLD ?? []),
      });
      for (const issue of parsed.error?.issues ?? []) {
        const name = issue.path[0] as keyof typeof secrets.shape;
        const fromFile = name !== "SETTINGS_ENCRYPTION_KEYS_OLD" && !vars[name];
        if (fromFile && !embedded) continue; // named above as required
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: fromFile ? `in ${secretsFilePath(vars.DATA_DIR)} ${issue.message}` : issue.message,
        });
      }
      if (!parsed.success) return z.NEVER;
      return {
        ...parsed.data,
        isProduction,
        embedded,
        dataDir: vars.DATA_DIR,
        encryptionKeySource: vars.SETTINGS_ENCRYPTION_KEY ? ("environment" as const) : ("secrets file" as const),
      };
    });

/** Sign-in with Microsoft or Google for the finance mailbox: <PROVIDER>_CLIENT_ID, _CLIENT_SECRET, _AUTHORITY and APP_URL. */
const mailSignIn = z.record(z.string(), variable).transform((source, ctx) => {
  const problems: string[] = [];
  const oauth = parseOAuthConfig(source, source.NODE_ENV === "production", problems);
  problems.forEach((problem) => ctx.addIssue(problem));
  return { oauth };
});

/** The operator's own sending account for the app's emails (lib/system-mail.ts): both or neither. */
const systemMail = z.object({ SYSTEM_MAIL_URL: variable, SYSTEM_MAIL_FROM: variable }).transform((vars, ctx) => {
  const { config, problems } = parseSystemMail(vars.SYSTEM_MAIL_URL, vars.SYSTEM_MAIL_FROM);
  problems.forEach((problem) => ctx.addIssue(problem));
  return { systemMail: config };
});

/** The whole environment: every part is checked, so every problem is named at once. */
export const envSchema = (cwd: string) =>
  variables(cwd)
    .and(deployment(cwd))
    .and(mailSignIn)
    .and(systemMail)
    .transform((v) => ({
      AUTH_SECRET: v.AUTH_SECRET,
      SETTINGS_ENCRYPTION_KEY: v.SETTINGS_ENCRYPTION_KEY,
      /** SETTINGS_ENCRYPTION_KEYS_OLD, or the generated file's when the key is generated too. */
      previousEncryptionKeys: v.SETTINGS_ENCRYPTION_KEYS_OLD,
      /** The environment's key is the operator's to rotate; otherwise it lives in the secrets file. */
      encryptionKeySource: v.encryptionKeySource,
      database: v.DATABASE_URL,
      dataDir: v.dataDir,
      isProduction: v.isProduction,
      /** true when secrets may come from the generated file (embedded default, or development) */
      embedded: v.embedded,
      SMTP_ALLOW_PRIVATE_NETWORKS: v.SMTP_ALLOW_PRIVATE_NETWORKS,
      smtpTestBudgetMs: v.SMTP_TEST_TIMEOUT_MS,
      smtpAllowedPorts: v.SMTP_ALLOWED_PORTS,
      databaseTimeouts: {
        connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
      },
      setupToken: v.SETUP_TOKEN,
      sessionMaxAgeSeconds: v.SESSION_MAX_AGE_DAYS * 86_400,
      oauth: {
        ...v.oauth,
        allowPrivateNetworks: v.SMTP_ALLOW_PRIVATE_NETWORKS,
        nameSources: { hostsFile: v.HOSTS_FILE, dnsServers: v.DNS_SERVERS },
      },
      systemMail: v.systemMail,
      /** Where alert webhooks may go (lib/watch/webhook.ts). */
      webhooks: { allowPrivate: v.WEBHOOK_ALLOW_PRIVATE_NETWORKS, allowedPorts: v.WEBHOOK_ALLOWED_PORTS },
      metricsToken: v.METRICS_TOKEN,
      dnsServers: v.DNS_SERVERS,
      /** Where server names are looked up: the hosts file, then DNS (lib/net/address-guard.ts nameLookup). */
      nameSources: { hostsFile: v.HOSTS_FILE, dnsServers: v.DNS_SERVERS },
      port: v.PORT,
      /** Who an organisation's people contact about this app (lib/support.ts). */
      support: { url: v.SUPPORT_URL ?? null, email: v.SUPPORT_EMAIL ?? null },
      /** The scheduled account checks (lib/watch). */
      watch: { intervalMinutes: v.ACCOUNT_CHECK_INTERVAL_MINUTES, concurrency: v.CHECK_CONCURRENCY, worker: v.WORKER },
    }));

export type Env = z.output<ReturnType<typeof envSchema>>;

/** "NAME must be …": the rules above say what a value must be; shared parsers' sentences already start with the name. */
function problemOf(issue: z.core.$ZodIssue): string {
  const name = issue.path.length > 0 ? String(issue.path[0]) : "";
  return issue.message.startsWith(name) ? issue.message : `${name} ${issue.message}`;
}

function parseOrThrow<T>(schema: z.ZodType<T>, source: NodeJS.ProcessEnv): T {
  // A copy: process.env is not a plain object, which zod's record (mailSignIn) refuses.
  const result = schema.safeParse({ ...source });
  if (!result.success) throw new EnvError(result.error.issues.map(problemOf));
  return result.data;
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Env {
  return parseOrThrow(envSchema(cwd), source);
}

/** DATABASE_URL alone, for a script that needs nothing else (and should not generate secrets). */
export function loadDatabaseTarget(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DatabaseTarget {
  return parseOrThrow(variables(cwd).pick({ DATABASE_URL: true }), source).DATABASE_URL;
}

export function secretsFilePath(dataDir: string) {
  return path.join(dataDir, "secrets.json");
}

/** Reads data/secrets.json, creating it once ('wx' makes concurrent first starts agree on one file); null when it is not JSON. */
function loadOrCreateSecretsFile(dataDir: string): SecretsFile | null {
  const file = secretsFilePath(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const generated = {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
  };
  try {
    fs.writeFileSync(file, JSON.stringify(generated, null, 2) + "\n", { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  } catch {
    return null;
  }
}

let cached: Env | undefined;
/** The validated environment, loaded on first use (not at import, so `next build` needs no secrets). */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

/** Reads the environment (and the generated secrets file) again: after `npm run keys:rotate` changed the file. */
export function reloadEnv(): Env {
  cached = loadEnv();
  return cached;
}
