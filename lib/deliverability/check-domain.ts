// The Deliverability card's checks for the From address's domain and the provider the settings use: SPF evaluated as
// a receiver would for an address the provider sends from (mailauth), the provider's DKIM selectors, the DMARC record
// (mailauth's discovery and parsing), and MX for information. Every result is Pass, Warning, Fail or "could not be
// checked" (DNS did not answer: never a false Fail), with one sentence of why and, when not Pass, the exact record.
import "server-only";
import { spf } from "mailauth/lib/spf";
import getDmarcRecord from "mailauth/lib/dmarc/get-dmarc-record";
import { getPreset, PRESETS, presetForAccount, type DomainAuthentication } from "../smtp/presets";
import { cnameTarget, NO_RECORD, txtRecords, type DnsResolve } from "./resolver";
import { allowsAnyone, mergedSpf, spfRecordsOf } from "./spf-record";

export type Verdict = "pass" | "warning" | "fail" | "unknown";

/** A DNS record to publish: a new one, or the new value of an existing one (replaces: the values it replaces). */
export type RecordFix = { host: string; type: "TXT" | "CNAME"; value: string; replaces?: string[]; note?: string };

export type CheckResult = {
  verdict: Verdict;
  /** One sentence: why this verdict. */
  summary: string;
  /** What is published now, for reference. */
  current?: string[];
  fixes?: RecordFix[];
  /** The provider's own page about it. */
  guideUrl?: string;
};

export type DomainReport =
  | { domain: string; handledByProvider: true; providerName: string }
  | {
      domain: string;
      handledByProvider: false;
      providerName: string;
      spf: CheckResult;
      dkim: CheckResult;
      dmarc: CheckResult;
      /** Where replies to this domain go, for information (null: could not be looked up). */
      mx: string[] | null;
    };

/** Domains of mailbox providers: their own SPF, DKIM and DMARC cover mail from their addresses. */
export const MAILBOX_PROVIDER_DOMAINS = new Set([
  ...PRESETS.flatMap((p) => p.mailboxDomains),
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "mail.com",
  "yandex.com",
  "yandex.ru",
]);

/** An address in TEST-NET-1 (RFC 5737): it sends no mail, so evaluating for it walks the whole record. */
const NOWHERE = "192.0.2.1";
const SPF_TIME_LIMIT_MS = 8_000;

export type CheckInput = {
  fromAddress: string;
  /** The preset the settings chose; judged together with `user` (presetForAccount). */
  presetId: string;
  /** The account's User: a Google account on the organisation's own domain is Google Workspace. */
  user: string;
  /** The SMTP server, for "Other SMTP server": its address is the one evaluated. */
  smtpHost: string;
};

export function fromDomain(fromAddress: string): string {
  return (fromAddress.split("@")[1] ?? "").trim().toLowerCase().replace(/\.$/, "");
}

export async function checkDomain(resolve: DnsResolve, input: CheckInput): Promise<DomainReport> {
  const domain = fromDomain(input.fromAddress);
  const preset = getPreset(presetForAccount(input.presetId, input.user)) ?? getPreset("custom");
  const providerName = preset.id === "custom" ? "your mail server" : preset.name;
  if (MAILBOX_PROVIDER_DOMAINS.has(domain)) return { domain, handledByProvider: true, providerName };
  const auth = preset.domainAuth;
  const [spfResult, dkim, dmarc, mx] = await Promise.all([
    checkSpf(resolve, domain, { auth, providerName, smtpHost: input.smtpHost }),
    checkDkim(resolve, domain, auth, providerName),
    checkDmarc(resolve, domain),
    resolve(domain, "MX").then(
      (rows) =>
        (rows as unknown as { exchange: string; priority: number }[])
          .sort((a, b) => a.priority - b.priority)
          .map((r) => r.exchange),
      (err) => (NO_RECORD.has((err as NodeJS.ErrnoException).code ?? "") ? [] : null),
    ),
  ]);
  return { domain, handledByProvider: false, providerName, spf: spfResult, dkim, dmarc, mx };
}

const couldNotCheck = (what: string, domain: string): CheckResult => ({
  verdict: "unknown",
  summary: `${what} could not be checked: the name servers of ${domain} did not answer in time. Try again in a while.`,
});

async function evaluateSpf(resolve: DnsResolve, domain: string, ip: string) {
  return spf({
    sender: `postmaster@${domain}`,
    ip,
    helo: domain,
    mta: "finance-email-setup",
    resolver: resolve,
    maxElapsedTime: SPF_TIME_LIMIT_MS,
  });
}

async function checkSpf(
  resolve: DnsResolve,
  domain: string,
  { auth, providerName, smtpHost }: { auth: DomainAuthentication; providerName: string; smtpHost: string },
): Promise<CheckResult> {
  let txt: string[];
  try {
    txt = await txtRecords(resolve, domain);
  } catch {
    return couldNotCheck("SPF", domain);
  }
  const records = spfRecordsOf(txt);
  const spfConfig = auth.spf;
  // What the provider needs in the record: its include, or the SMTP server itself for an unknown provider.
  const mechanism =
    spfConfig.kind === "include"
      ? `include:${spfConfig.include}`
      : spfConfig.kind === "smtp-server"
        ? `a:${smtpHost}`
        : null;
  const guideUrl = auth.guideUrl;
  const publish = (value: string, replaces?: string[], note?: string): RecordFix[] => [
    { host: domain, type: "TXT", value, replaces, note },
  ];

  if (records.length === 0) {
    if (!mechanism) {
      return {
        verdict: "pass",
        summary: `Not needed for ${providerName}: it sends with its own return-path domain, so DMARC passes through DKIM.`,
        guideUrl,
      };
    }
    return {
      verdict: "fail",
      summary: `${domain} has no SPF record, so receivers cannot tell that ${providerName} may send as ${domain}.`,
      fixes: publish(`v=spf1 ${mechanism} ~all`),
      guideUrl,
    };
  }
  if (records.length > 1) {
    return {
      verdict: "fail",
      summary: `${domain} has ${records.length} SPF records. Receivers treat that as a permanent error and SPF fails for every sender: merge them into one.`,
      current: records,
      fixes: publish(mergedSpf(records, mechanism), records, "Replace all of them with this one record."),
      guideUrl,
    };
  }
  const [record] = records;
  if (allowsAnyone(record)) {
    return {
      verdict: "fail",
      summary: `The SPF record ends in +all, which lets any server in the world send as ${domain}.`,
      current: records,
      fixes: publish(mergedSpf(records, mechanism), records),
      guideUrl,
    };
  }
  // Walked for an address that matches nothing, the whole record is evaluated: lookups past 10 are a permanent error.
  const whole = await evaluateSpf(resolve, domain, NOWHERE);
  if (whole.status.result === "temperror") return couldNotCheck("SPF", domain);
  if (whole.status.result === "permerror") {
    const tooMany = /too many dns/i.test(whole.status.comment ?? "");
    return {
      verdict: "fail",
      summary: tooMany
        ? "The SPF record needs more than 10 DNS lookups (through its includes), which is a permanent error: SPF fails for every sender."
        : `The SPF record has an error receivers will not accept (${(whole.status.comment ?? "").replace(/^[^:]*:\s*/, "")}).`,
      current: records,
      fixes: tooMany
        ? publish(
            `v=spf1 ${mechanism ?? ""} ~all`.replace(/\s+/g, " "),
            records,
            `If ${providerName} is the only service that sends as ${domain}. Otherwise remove the includes of services you no longer use, until 10 lookups are enough.`,
          )
        : publish(mergedSpf(records, mechanism), records),
      guideUrl,
    };
  }
  if (!mechanism) {
    return {
      verdict: "pass",
      summary: `The SPF record is valid; ${providerName} sends with its own return-path domain, so DMARC passes through DKIM.`,
      current: records,
      guideUrl,
    };
  }
  const sender = spfConfig.kind === "include" ? spfConfig.sendingAddress : await smtpServerAddress(resolve, smtpHost);
  if (!sender) return couldNotCheck("SPF", smtpHost);
  const result = await evaluateSpf(resolve, domain, sender);
  if (result.status.result === "temperror") return couldNotCheck("SPF", domain);
  if (result.status.result === "pass") {
    return {
      verdict: "pass",
      summary: `The SPF record authorises ${providerName}'s servers.`,
      current: records,
      guideUrl,
    };
  }
  return {
    verdict: "fail",
    summary: `The SPF record does not authorise ${providerName}'s servers, so mail it sends as ${domain} fails SPF.`,
    current: records,
    fixes: publish(
      mergedSpf(records, mechanism),
      records,
      "Change the existing record to this value: never add a second SPF record.",
    ),
    guideUrl,
  };
}

async function smtpServerAddress(resolve: DnsResolve, host: string): Promise<string | null> {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
  try {
    return ((await resolve(host, "A")) as unknown as string[])[0] ?? null;
  } catch {
    return null;
  }
}

async function checkDkim(
  resolve: DnsResolve,
  domain: string,
  auth: DomainAuthentication,
  providerName: string,
): Promise<CheckResult> {
  const fill = (text: string) =>
    text.replaceAll("{domain}", domain).replaceAll("{domainDashes}", domain.replaceAll(".", "-"));
  const guideUrl = auth.guideUrl;
  if (!("selectors" in auth.dkim)) {
    return {
      verdict: "warning",
      summary: `${providerName}'s signing key is published under a selector chosen at set-up, so it cannot be checked here. ${fill(auth.dkim.findSelector)}`,
      guideUrl,
    };
  }
  const found: string[] = [];
  const missing: RecordFix[] = [];
  try {
    for (const selector of auth.dkim.selectors) {
      const host = `${selector.name}._domainkey.${domain}`;
      const target = selector.type === "CNAME" ? await cnameTarget(resolve, host) : null;
      const key = target ? null : (await txtRecords(resolve, host)).find((t) => /(^|;)\s*p=[A-Za-z0-9+/]/.test(t));
      if (target || key) found.push(target ? `${host} → ${target}` : `${host} (TXT key)`);
      else missing.push({ host, type: selector.type, value: fill(selector.value) });
    }
  } catch {
    return couldNotCheck("DKIM", domain);
  }
  if (missing.length === 0) {
    return {
      verdict: "pass",
      summary: `${providerName}'s DKIM signing keys are published (${auth.dkim.selectors.map((s) => s.name).join(", ")}).`,
      current: found,
      guideUrl,
    };
  }
  return {
    verdict: "fail",
    summary: `${providerName}'s DKIM key is not published under ${missing.map((m) => m.host).join(" and ")}, so its signatures cannot be checked and DMARC cannot pass through DKIM.`,
    current: found,
    fixes: missing,
    guideUrl,
  };
}

type DmarcRecord = {
  p?: string;
  sp?: string;
  adkim?: string;
  aspf?: string;
  pct?: number;
  rua?: string;
  rr: string;
  isOrgRecord: boolean;
  recordDomain: string;
};

async function checkDmarc(resolve: DnsResolve, domain: string): Promise<CheckResult> {
  const guideUrl = "https://support.google.com/a/answer/2466580";
  let record: DmarcRecord | false;
  try {
    record = (await getDmarcRecord(domain, resolve)) as DmarcRecord | false;
  } catch {
    return couldNotCheck("DMARC", domain);
  }
  if (!record) {
    return {
      verdict: "fail",
      summary: `${domain} has no DMARC record. Gmail, Yahoo and Outlook.com require one from senders, and junk or refuse mail without it.`,
      fixes: [
        {
          host: `_dmarc.${domain}`,
          type: "TXT",
          value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}`,
          note: `A safe start: it only asks for reports (to a mailbox you create, dmarc-reports@${domain}). Move to p=quarantine once they show only your own services.`,
        },
      ],
      guideUrl,
    };
  }
  const alignment = `Alignment: DKIM ${record.adkim === "s" ? "strict (the exact domain)" : "relaxed (any subdomain)"}, SPF ${record.aspf === "s" ? "strict" : "relaxed"}.`;
  const inherited = record.isOrgRecord ? ` It applies from ${record.recordDomain}.` : "";
  const host = `_dmarc.${record.recordDomain}`;
  if (record.p === "none") {
    return {
      verdict: "warning",
      summary: `DMARC only watches (p=none): mail that fails is still delivered, and you get reports.${inherited} Once the reports show only your own services, ask receivers to quarantine the rest. ${alignment}`,
      current: [record.rr],
      fixes: [
        {
          host,
          type: "TXT",
          value: record.rr.replace(/(^|;)\s*p\s*=\s*none/i, "$1 p=quarantine"),
          replaces: [record.rr],
        },
      ],
      guideUrl,
    };
  }
  const action = record.p === "reject" ? "refuse" : "quarantine (junk)";
  return {
    verdict: "pass",
    summary: `DMARC is set: receivers ${action} mail as ${domain} that fails SPF and DKIM${record.pct !== undefined && record.pct < 100 ? ` (for ${record.pct}% of it)` : ""}.${inherited} ${alignment}`,
    current: [record.rr],
    guideUrl,
  };
}
