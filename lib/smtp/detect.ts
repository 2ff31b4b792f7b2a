// Guesses the provider preset from an email address: well-known mailbox domains first, then the domain's MX records.
// Detection only pre-fills the form, so every failure (bad address, DNS error, timeout) quietly gives null.
import "server-only";
import { resolveMx as dnsResolveMx } from "node:dns/promises";
import { PRESETS, type PresetId } from "./presets";

export type MxRecord = { exchange: string; priority: number };
export type MxResolver = (domain: string) => Promise<MxRecord[]>;
export type Detection = { presetId: PresetId; reason: "domain" | "mx" };
export type DetectOptions = { resolveMx?: MxResolver; timeoutMs?: number };

const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The lower-case domain of a plausible email address, or null. */
function domainOf(email: string): string | null {
  if (typeof email !== "string" || email.length > 320) return null;
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf("@");
  if (at < 1 || trimmed.indexOf("@") !== at || /\s/.test(trimmed)) return null;
  const domain = trimmed
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, "");
  return DOMAIN_RE.test(domain) ? domain : null;
}

const BY_MAILBOX_DOMAIN = new Map<string, PresetId>(
  PRESETS.flatMap((p) => p.mailboxDomains.map((d) => [d, p.id] as const)),
);

export function detectByDomain(email: string): PresetId | null {
  const domain = domainOf(email);
  return (domain && BY_MAILBOX_DOMAIN.get(domain)) || null;
}

function presetForExchange(exchange: string): PresetId | null {
  const host = exchange.trim().toLowerCase().replace(/\.$/, "");
  for (const preset of PRESETS) {
    if (preset.mxSuffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) return preset.id;
  }
  return null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function detectProvider(email: string, options: DetectOptions = {}): Promise<Detection | null> {
  const domain = domainOf(email);
  if (!domain) return null;
  const byDomain = BY_MAILBOX_DOMAIN.get(domain);
  if (byDomain) return { presetId: byDomain, reason: "domain" };

  const { resolveMx = dnsResolveMx, timeoutMs = 1500 } = options;
  let records: MxRecord[] | null;
  try {
    records = await withTimeout(
      Promise.resolve().then(() => resolveMx(domain)),
      timeoutMs,
    );
  } catch {
    return null;
  }
  if (!Array.isArray(records)) return null;

  // The most preferred server decides when records point at different providers.
  const ordered = [...records].sort((a, b) => (a?.priority ?? 0) - (b?.priority ?? 0));
  for (const record of ordered) {
    if (typeof record?.exchange !== "string") continue;
    const presetId = presetForExchange(record.exchange);
    if (presetId) return { presetId, reason: "mx" };
  }
  return null;
}
