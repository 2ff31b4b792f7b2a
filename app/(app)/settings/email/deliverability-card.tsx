// The Deliverability card: SPF, DKIM and DMARC of the From address's domain for the provider the settings use, with
// the exact record to publish for anything not Pass. Rendered on the server from the kept check only: the lookups run
// in "Check again", in a save that changes the From domain or provider, and in the watch's weekly re-check, never
// while a page renders. Until a check of the current settings is kept, the card says so.
import { Card } from "@/app/_components/card";
import type { CheckResult, DomainReport, Verdict } from "@/lib/deliverability/check-domain";
import type { StoredDomainCheck } from "@/lib/deliverability/domain-checks";
import { timeAgo, timestamp } from "@/lib/format";
import { Time } from "@/app/_components/time";
import { CopyButton } from "@/app/_components/copy-button";
import { CheckAgainButton } from "./deliverability-controls";

const VERDICTS: Record<Verdict, { label: string; tone: string }> = {
  pass: { label: "Pass", tone: "bg-emerald-100 text-emerald-900 ring-emerald-200" },
  warning: { label: "Warning", tone: "bg-amber-100 text-amber-900 ring-amber-200" },
  fail: { label: "Fail", tone: "bg-red-100 text-red-900 ring-red-200" },
  unknown: { label: "Could not be checked", tone: "bg-slate-100 text-slate-800 ring-slate-200" },
};

const CHECKS = [
  { id: "spf", title: "SPF", what: "Which servers may send as your domain." },
  { id: "dkim", title: "DKIM", what: "Your provider's signature on each message." },
  { id: "dmarc", title: "DMARC", what: "What receivers do with mail that fails both." },
] as const;

export function DeliverabilityCard({
  check,
  domain,
  canCheck,
  timeZone,
}: {
  check: StoredDomainCheck | null;
  domain: string;
  canCheck: boolean;
  timeZone: string;
}) {
  if (!check) return <NotCheckedYet domain={domain} canCheck={canCheck} />;
  const report = check.report;
  return (
    <Card
      title="Deliverability"
      description={
        report.handledByProvider
          ? `Whether mail from ${report.domain} is trusted by receivers.`
          : `Whether receivers trust mail that ${report.providerName} sends as ${report.domain}. Since 2024 Gmail, Yahoo and Outlook.com junk or refuse mail that fails these checks.`
      }
      actions={
        <div className="flex items-center gap-3 text-sm text-slate-500">
          <span data-testid="domain-checked-at">
            Checked <Time at={timestamp(check.checkedAt, timeZone)}>{timeAgo(check.checkedAt, new Date())}</Time>
          </span>
          {canCheck && <CheckAgainButton />}
        </div>
      }
    >
      {report.handledByProvider ? (
        <p className="text-sm text-slate-700" data-testid="handled-by-provider">
          <span className="font-medium text-slate-900">Handled by your provider.</span> {report.domain} belongs to{" "}
          {report.providerName}, which publishes and signs everything receivers check for its addresses. Nothing to set
          up.
        </p>
      ) : (
        <Checks report={report} />
      )}
    </Card>
  );
}

function Checks({ report }: { report: Extract<DomainReport, { handledByProvider: false }> }) {
  return (
    <div className="divide-y divide-slate-100">
      {CHECKS.map(({ id, title, what }) => (
        <CheckRow key={id} id={id} title={title} what={what} result={report[id]} />
      ))}
      <div className="pt-4 text-sm" data-testid="mx">
        <h3 className="font-semibold text-slate-900">
          MX <span className="font-normal text-slate-500">(for information)</span>
        </h3>
        <p className="mt-0.5 text-slate-600">
          {report.mx === null
            ? "Could not be looked up."
            : report.mx.length === 0
              ? `${report.domain} has no MX record: replies to it cannot be delivered.`
              : `Replies to ${report.domain} go to ${report.mx.join(", ")}.`}
        </p>
      </div>
    </div>
  );
}

function CheckRow({ id, title, what, result }: { id: string; title: string; what: string; result: CheckResult }) {
  const verdict = VERDICTS[result.verdict];
  return (
    <section
      className="py-4 first:pt-0"
      aria-labelledby={`check-${id}`}
      data-testid={`check-${id}`}
      data-verdict={result.verdict}
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h3 id={`check-${id}`} className="text-sm font-semibold text-slate-900">
          {title}
        </h3>
        <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${verdict.tone}`} data-testid="verdict">
          {verdict.label}
        </span>
        <span className="text-xs text-slate-500">{what}</span>
      </div>
      <p className="mt-1 text-sm text-slate-700" data-testid="summary">
        {result.summary}
      </p>
      {result.current && result.current.length > 0 && result.verdict !== "pass" && (
        <p className="mt-1 break-all text-xs text-slate-500">
          Now published:{" "}
          {result.current.map((c) => (
            <code key={c} className="mr-2">
              {c}
            </code>
          ))}
        </p>
      )}
      {result.fixes && result.fixes.length > 0 && (
        <div className="mt-3 space-y-3">
          {result.fixes.map((fix) => (
            <div
              key={`${fix.host}-${fix.type}`}
              className="rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm"
              data-testid="record-fix"
            >
              <p className="font-medium text-slate-900">
                {fix.replaces ? "Change the existing record to:" : "Add this record:"}
              </p>
              <dl className="mt-2 grid grid-cols-[4.5rem_1fr_auto] items-start gap-x-3 gap-y-2">
                {(
                  [
                    ["Host", fix.host],
                    ["Type", fix.type],
                    ["Value", fix.value],
                  ] as const
                ).map(([label, value]) => (
                  <div key={label} className="contents">
                    <dt className="pt-1 text-slate-500">{label}</dt>
                    <dd className="min-w-0">
                      <code
                        className="block break-all rounded bg-white px-2 py-1 ring-1 ring-slate-200"
                        data-testid={`fix-${label.toLowerCase()}`}
                      >
                        {value}
                      </code>
                    </dd>
                    <dd>
                      <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} compact />
                    </dd>
                  </div>
                ))}
              </dl>
              {fix.note && <p className="mt-2 text-xs text-slate-600">{fix.note}</p>}
            </div>
          ))}
        </div>
      )}
      {result.guideUrl && result.verdict !== "pass" && (
        <p className="mt-2 text-xs">
          <a href={result.guideUrl} className="text-brand-700 underline" target="_blank" rel="noreferrer">
            The provider&apos;s own guide
          </a>
        </p>
      )}
    </section>
  );
}

/** No check of the current settings is kept (they were changed some other way than a save here, or before checks). */
function NotCheckedYet({ domain, canCheck }: { domain: string; canCheck: boolean }) {
  return (
    <Card
      title="Deliverability"
      description={`Whether receivers trust mail sent as ${domain}: its SPF, DKIM and DMARC records.`}
      actions={canCheck && <CheckAgainButton label="Check now" />}
    >
      <p className="text-sm text-slate-700" data-testid="domain-not-checked">
        The records of {domain} have not been checked for these settings yet.{" "}
        {canCheck ? "Check now to see what receivers see." : "An owner or admin can check them here."} They are also
        checked every week.
      </p>
    </Card>
  );
}
