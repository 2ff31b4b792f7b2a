// The operator's own sending account (SYSTEM_MAIL_URL, SYSTEM_MAIL_FROM): how the app itself emails people, such as
// alerts to an organisation's owners and admins. Separate from every organisation's finance mailbox. Pure parsing
// here (lib/env.ts validates it at start-up); sending lives beside its callers.
import type { Security } from "./smtp/presets";

export type SystemMailConfig = {
  host: string;
  port: number;
  security: Security;
  user: string;
  password: string;
  from: string;
};

/**
 * SYSTEM_MAIL_URL: smtps://user:password@host[:465] (TLS from the first byte) or smtp://user:password@host[:587]
 * (STARTTLS, required). User and password are percent-encoded in the URL. Returns the problem in words, never the URL
 * itself (it holds a password).
 */
export function parseSystemMail(
  url: string | undefined,
  from: string | undefined,
): { config: SystemMailConfig | null; problems: string[] } {
  const text = url?.trim();
  if (!text)
    return { config: null, problems: from?.trim() ? ["SYSTEM_MAIL_FROM is set but SYSTEM_MAIL_URL is not"] : [] };
  const problems: string[] = [];
  let parsed: URL | null = null;
  try {
    parsed = new URL(text);
  } catch {
    problems.push(
      "SYSTEM_MAIL_URL must be a URL like smtps://user:password@smtp.example.com (percent-encode special characters)",
    );
  }
  if (parsed && parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") {
    problems.push("SYSTEM_MAIL_URL must start with smtp:// (STARTTLS) or smtps:// (SSL/TLS)");
  }
  if (parsed && (!parsed.username || !parsed.password))
    problems.push("SYSTEM_MAIL_URL must include the user and password: smtps://user:password@host");
  const address = from?.trim() ?? "";
  if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(address))
    problems.push("SYSTEM_MAIL_FROM must be the address system mail is sent from, like alerts@example.com");
  if (!parsed || problems.length > 0) return { config: null, problems };
  const ssl = parsed.protocol === "smtps:";
  return {
    config: {
      host: parsed.hostname.replace(/^\[|\]$/g, ""),
      port: parsed.port ? Number(parsed.port) : ssl ? 465 : 587,
      security: ssl ? "ssl" : "starttls",
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      from: address,
    },
    problems: [],
  };
}
