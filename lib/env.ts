// The app's configuration, read from process.env once and validated with zod. Nothing else reads process.env.
// The embedded default needs no setup: missing secrets are generated once into the data folder (mode 0600).
// A production deployment (NODE_ENV=production and any of DATABASE_URL, AUTH_SECRET, SETTINGS_ENCRYPTION_KEY
// set) must pass all three in, and start-up names each one that is missing.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_DATABASE_TIMEOUTS, parseDatabaseUrl, type DatabaseTarget, type DatabaseTimeouts } from "./database-url";
import { parseMailPorts, type MailPorts } from "./smtp/mail-ports";
import { parseTrustedProxyHops, TRUSTED_PROXY_HOPS_PROBLEM } from "./client-address.mjs";
import { parseOAuthConfig, type OAuthConfig } from "./mailbox/link/providers";
import { parseSystemMail, type SystemMailConfig } from "./system-mail";
import { dnsServersProblem } from "./deliverability/dns-servers";

const base64Key = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, "base64").length === 32, {
    message: "must be 32 bytes, base64-encoded (generate one with: openssl rand -base64 32)",
  });

const secretsSchema = z.object({
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
  SETTINGS_ENCRYPTION_KEY: base64Key,
});
type Secrets = z.infer<typeof secretsSchema>;
const SECRET_NAMES = Object.keys(secretsSchema.shape) as (keyof Secrets)[];

export type Env = Secrets & {
  /** Keys that may still decrypt stored secrets during a rotation (SETTINGS_ENCRYPTION_KEYS_OLD, comma-separated). */
  previousEncryptionKeys: string[];
  database: DatabaseTarget;
  dataDir: string;
  isProduction: boolean;
  /** true when secrets may come from the generated file (embedded default, or development) */
  embedded: boolean;
  SMTP_ALLOW_PRIVATE_NETWORKS: boolean;
  /** How long a test send may take in all before it is stopped with a timeout (SMTP_TEST_TIMEOUT_MS, default 15 s). */
  smtpTestBudgetMs: number;
  /** The ports a test send may use (SMTP_ALLOWED_PORTS; default 25, 465, 587 and 2525). */
  smtpAllowedPorts: MailPorts;
  /** DATABASE_CONNECT_TIMEOUT_MS (default 5 s) and DATABASE_STATEMENT_TIMEOUT_MS (default 15 s), for PostgreSQL. */
  databaseTimeouts: DatabaseTimeouts;
  /** SETUP_TOKEN: the hosted first run's token, when the operator sets it (otherwise derived; lib/setup-token.ts). */
  setupToken: string | undefined;
  /** How long a sign-in lasts at most, however active the session (SESSION_MAX_AGE_DAYS, default 7). */
  sessionMaxAgeSeconds: number;
  /** Sign-in with Microsoft or Google for the finance mailbox (lib/mailbox/link/providers.ts). */
  oauth: OAuthConfig;
  /** The operator's own sending account for the app's emails (SYSTEM_MAIL_URL, SYSTEM_MAIL_FROM), or null. */
  systemMail: SystemMailConfig | null;
  /** METRICS_TOKEN: the bearer token for /api/metrics, which answers 404 without one. */
  metricsToken: string | undefined;
  /** DNS_SERVERS: "host:port" entries the deliverability checks ask instead of the system's resolvers. */
  dnsServers: string[] | undefined;
  /** The scheduled account checks (lib/watch). */
  watch: {
    /** ACCOUNT_CHECK_INTERVAL_MINUTES (default 360: every 6 hours; minimum 1). */
    intervalMinutes: number;
    /** CHECK_CONCURRENCY: checks at once in one instance (default 20). */
    concurrency: number;
    /** false with WORKER=off: this instance serves pages only and runs no checks. */
    worker: boolean;
  };
};

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration error:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

function generateSecrets(): Secrets {
  return {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    SETTINGS_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
  };
}

/** Reads data/secrets.json, creating it once. 'wx' makes concurrent first starts agree on one file. */
type SecretsFile = Partial<Secrets> & { SETTINGS_ENCRYPTION_KEYS_OLD?: string[] };

export function secretsFilePath(dataDir: string) {
  return path.join(dataDir, "secrets.json");
}

function loadOrCreateSecretsFile(dataDir: string): SecretsFile {
  const file = secretsFilePath(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, JSON.stringify(generateSecrets(), null, 2) + "\n", { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  } catch {
    throw new EnvError([`${file} is not valid JSON: fix it, or delete it to generate new secrets (existing sessions and saved passwords will then need re-entering)`]);
  }
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Env {
  const problems: string[] = [];
  const isProduction = source.NODE_ENV === "production";
  // A production deployment is one that configures itself: with NODE_ENV=production, giving any of the three
  // variables means all three are required. With none, `npm start` runs the zero-setup embedded default.
  const given3 = (["DATABASE_URL", ...SECRET_NAMES] as const).filter((n) => Boolean(source[n]?.trim()));
  const embedded = !(isProduction && given3.length > 0);

  let database: DatabaseTarget | undefined;
  try {
    database = parseDatabaseUrl(source.DATABASE_URL, cwd);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const dataDir = path.resolve(cwd, source.DATA_DIR || "data");

  const given: Partial<Record<keyof Secrets, string>> = {};
  for (const name of SECRET_NAMES) if (source[name]) given[name] = source[name];

  if (!embedded) {
    for (const name of ["DATABASE_URL", ...SECRET_NAMES] as const) {
      if (!source[name]?.trim()) {
        problems.push(`${name} is required in production (NODE_ENV=production with ${given3.join(", ")} set)`);
      }
    }
  }
  const missing = SECRET_NAMES.filter((n) => !given[n]);
  const fromFile: SecretsFile = embedded && missing.length > 0 ? loadOrCreateSecretsFile(dataDir) : {};

  const merged = { AUTH_SECRET: fromFile.AUTH_SECRET, SETTINGS_ENCRYPTION_KEY: fromFile.SETTINGS_ENCRYPTION_KEY, ...given };
  const previousEncryptionKeys = source.SETTINGS_ENCRYPTION_KEYS_OLD
    ? source.SETTINGS_ENCRYPTION_KEYS_OLD.split(",").map((k) => k.trim()).filter(Boolean)
    : given.SETTINGS_ENCRYPTION_KEY
      ? []
      : (fromFile.SETTINGS_ENCRYPTION_KEYS_OLD ?? []);
  for (const key of previousEncryptionKeys) {
    if (!base64Key.safeParse(key).success) problems.push("SETTINGS_ENCRYPTION_KEYS_OLD must list 32-byte base64 keys, separated by commas");
  }
  const parsed = secretsSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      if (!embedded && !given[name as keyof Secrets]) continue; // already reported as missing
      problems.push(given[name as keyof Secrets] ? `${name} ${issue.message}` : `${name} in ${path.join(dataDir, "secrets.json")} ${issue.message}`);
    }
  }

  const allowPrivate = (source.SMTP_ALLOW_PRIVATE_NETWORKS ?? "").toLowerCase();
  if (allowPrivate && !["true", "false", "1", "0"].includes(allowPrivate)) {
    problems.push("SMTP_ALLOW_PRIVATE_NETWORKS must be true or false");
  }

  /** A duration variable: a whole number of `unit` within [min, max], or the fallback when unset. */
  const duration = (unit: "milliseconds" | "minutes" | "days" | "checks") => (name: string, fallback: number, min: number, max: number) => {
    const text = source[name];
    const value = text ? Number(text) : fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number of ${unit} from ${min} to ${max}`);
    }
    return value;
  };
  const millis = duration("milliseconds");
  const sessionMaxAgeDays = duration("days")("SESSION_MAX_AGE_DAYS", 7, 1, 90);
  const budget = millis("SMTP_TEST_TIMEOUT_MS", 15_000, 1000, 120_000);
  const databaseTimeouts: DatabaseTimeouts = {
    connectTimeoutMs: millis("DATABASE_CONNECT_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.connectTimeoutMs, 100, 600_000),
    statementTimeoutMs: millis("DATABASE_STATEMENT_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs, 100, 600_000),
  };

  const setupToken = source.SETUP_TOKEN?.trim() || undefined;
  if (setupToken !== undefined && (setupToken.length < 16 || setupToken.length > 200)) {
    problems.push("SETUP_TOKEN must be 16 to 200 characters (generate one with: openssl rand -hex 16)");
  }

  const allowedPorts = parseMailPorts(source.SMTP_ALLOWED_PORTS);
  if (!allowedPorts) problems.push("SMTP_ALLOWED_PORTS must be comma-separated ports or ranges of ports, like 25,465,587,2525 or 2500-2599");

  // Used by server.mjs before the app loads; validated here too so a bad value is listed with the other problems.
  if (parseTrustedProxyHops(source.TRUSTED_PROXY_HOPS) === null) {
    problems.push(TRUSTED_PROXY_HOPS_PROBLEM);
  }

  const oauth = parseOAuthConfig(source, isProduction, problems);
  const systemMail = parseSystemMail(source.SYSTEM_MAIL_URL, source.SYSTEM_MAIL_FROM);
  const metricsToken = source.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push("METRICS_TOKEN must be at least 16 characters (generate one with: openssl rand -hex 16)");
  problems.push(...systemMail.problems);

  const dnsServers = source.DNS_SERVERS?.trim() ? source.DNS_SERVERS.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  const dnsProblem = dnsServers ? dnsServersProblem(dnsServers) : null;
  if (dnsProblem) problems.push(dnsProblem);

  const intervalMinutes = duration("minutes")("ACCOUNT_CHECK_INTERVAL_MINUTES", 360, 1, 10_080);
  const concurrency = duration("checks")("CHECK_CONCURRENCY", 20, 1, 500);
  const worker = (source.WORKER ?? "on").trim().toLowerCase();
  if (!["on", "off"].includes(worker)) problems.push("WORKER must be on or off");

  if (problems.length > 0 || !parsed.success || !database || !allowedPorts) throw new EnvError(problems);
  return {
    ...parsed.data,
    previousEncryptionKeys,
    database,
    dataDir,
    isProduction,
    embedded,
    SMTP_ALLOW_PRIVATE_NETWORKS: allowPrivate === "true" || allowPrivate === "1",
    smtpTestBudgetMs: budget,
    smtpAllowedPorts: allowedPorts,
    databaseTimeouts,
    setupToken,
    sessionMaxAgeSeconds: sessionMaxAgeDays * 86_400,
    oauth: { ...oauth, allowPrivateNetworks: allowPrivate === "true" || allowPrivate === "1" },
    systemMail: systemMail.config,
    metricsToken,
    dnsServers,
    watch: { intervalMinutes, concurrency, worker: worker !== "off" },
  };
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
