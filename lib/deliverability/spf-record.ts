// SPF record text, for suggestions only (the evaluation is mailauth's): which TXT records are SPF, and the one record
// to publish instead of what is there now, keeping every mechanism already in it.

/** The domain's SPF records among its TXT records (RFC 7208 4.5: "v=spf1" followed by a space or nothing). */
export function spfRecordsOf(txt: readonly string[]): string[] {
  return txt.map((t) => t.trim()).filter((t) => /^v=spf1(\s|$)/i.test(t));
}

const ALL = /^[+\-~?]?all$/i;

/** Whether a record lets any server send: "+all" or a bare "all". */
export function allowsAnyone(record: string): boolean {
  return record
    .split(/\s+/)
    .slice(1)
    .some((term) => /^\+?all$/i.test(term));
}

/**
 * One record that keeps the terms of all the given records (in order, without repeats), adds `mechanism` if it is not
 * there yet, and ends with one "all": the strictest of theirs ("-all" over "~all"), or "~all"; "+all" never survives.
 */
export function mergedSpf(records: readonly string[], mechanism: string | null): string {
  const terms: string[] = [];
  const alls: string[] = [];
  const modifiers: string[] = [];
  for (const record of records) {
    for (const term of record.split(/\s+/).slice(1)) {
      if (!term) continue;
      if (ALL.test(term)) alls.push(term.toLowerCase());
      else if (/^(redirect|exp)=/i.test(term)) modifiers.push(term);
      else if (!terms.some((t) => t.toLowerCase() === term.toLowerCase())) terms.push(term);
    }
  }
  if (mechanism && !terms.some((t) => t.toLowerCase() === mechanism.toLowerCase())) terms.push(mechanism);
  // A redirect only applies when there is no "all"; with one record and nothing to merge, keep it as it was.
  const redirect = modifiers.find((m) => /^redirect=/i.test(m));
  if (redirect && alls.length === 0) return ["v=spf1", ...terms, ...modifiers].join(" ");
  const all = alls.includes("-all") ? "-all" : "~all";
  return ["v=spf1", ...terms, ...modifiers.filter((m) => !/^redirect=/i.test(m)), all].join(" ");
}
