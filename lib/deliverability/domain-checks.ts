// The Deliverability check of an organisation's From domain, run and kept: one row per organisation, replaced by
// "Check again", by a save that changes the From domain or the provider, and weekly by the watch, which alerts when
// SPF or DMARC newly fails for the same domain. Pages only read the kept row: a render never looks anything up.
import "server-only";
import type { Db } from "../prisma";
import { checkDomain, fromDomain, type DomainReport, type Verdict } from "./check-domain";
import { createDnsResolver, type DnsResolve } from "./resolver";
import { presetForAccount } from "../smtp/presets";

/** The watch checks the domain again after this long. */
export const DOMAIN_RECHECK_MS = 7 * 86_400_000;

export type StoredDomainCheck = {
  domain: string;
  /** The preset the domain was judged by (presetForAccount: a Google account on its own domain is Workspace). */
  presetId: string;
  checkedAt: Date;
  report: DomainReport;
};

/** The resolver the app uses: DNS_SERVERS when set, 2 s per try, 2 tries. */
export function appDnsResolver(servers: readonly string[] | undefined): DnsResolve {
  return createDnsResolver({ servers, timeoutMs: 2000, tries: 2 });
}

function verdictOf(report: DomainReport, check: "spf" | "dmarc"): Verdict | "n/a" {
  return report.handledByProvider ? "n/a" : report[check].verdict;
}

/** The kept check, whatever settings it was about (a page render reads only this: it never looks anything up). */
export async function keptDomainCheck(db: Db, orgId: string): Promise<StoredDomainCheck | null> {
  const row = await db.domainCheck.findUnique({
    where: { orgId },
    select: { domain: true, presetId: true, checkedAt: true, report: true },
  });
  return (
    row && { domain: row.domain, presetId: row.presetId, checkedAt: row.checkedAt, report: row.report as DomainReport }
  );
}

/** Whether a kept check is about the settings as they are now (same From domain, and the provider judged the same). */
export function checkIsCurrent(
  check: StoredDomainCheck,
  settings: { fromAddress: string; provider: string; user: string },
): boolean {
  return (
    check.domain === fromDomain(settings.fromAddress) &&
    check.presetId === presetForAccount(settings.provider, settings.user)
  );
}

const CHECKED_COLUMNS = { fromAddress: true, provider: true, username: true, host: true } as const;

/** After a save: checks the From domain now unless the kept check is already about these settings. */
export async function checkDomainIfChanged(db: Db, resolve: DnsResolve, orgId: string): Promise<DomainCheckRun | null> {
  const [settings, kept] = await Promise.all([
    db.emailSettings.findUnique({ where: { orgId }, select: CHECKED_COLUMNS }),
    keptDomainCheck(db, orgId),
  ]);
  if (!settings || (kept && checkIsCurrent(kept, { ...settings, user: settings.username }))) return null;
  return runDomainCheck(db, resolve, orgId);
}

export type DomainCheckRun = { check: StoredDomainCheck; newlyFailing: ("spf" | "dmarc")[] };

/** Checks the saved settings' From domain now and keeps the result. null when nothing is saved. */
export async function runDomainCheck(
  db: Db,
  resolve: DnsResolve,
  orgId: string,
  now = new Date(),
): Promise<DomainCheckRun | null> {
  const settings = await db.emailSettings.findUnique({ where: { orgId }, select: CHECKED_COLUMNS });
  if (!settings) return null;
  // Kept under the preset it was judged by, so a new User that changes the judgement is checked again.
  const presetId = presetForAccount(settings.provider, settings.username);
  const report = await checkDomain(resolve, {
    fromAddress: settings.fromAddress,
    presetId: settings.provider,
    user: settings.username,
    smtpHost: settings.host,
  });
  const previous = await db.domainCheck.findUnique({
    where: { orgId },
    select: { domain: true, spfVerdict: true, dmarcVerdict: true },
  });
  const data = {
    domain: report.domain,
    presetId,
    checkedAt: now,
    report,
    spfVerdict: verdictOf(report, "spf"),
    dmarcVerdict: verdictOf(report, "dmarc"),
  };
  await db.domainCheck.upsert({ where: { orgId }, create: { orgId, ...data }, update: data });
  // Newly failing: it failed now and did not at the last check of the same domain (the first check is the baseline).
  const newlyFailing =
    previous && previous.domain === report.domain
      ? (["spf", "dmarc"] as const).filter((c) => data[`${c}Verdict`] === "fail" && previous[`${c}Verdict`] !== "fail")
      : [];
  return { check: { domain: report.domain, presetId, checkedAt: now, report }, newlyFailing };
}
