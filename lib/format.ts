// How dates are shown to people, everywhere in the app: in the organisation's time zone with the zone's short name
// ("3 Dec 2026, 16:05 CET", "3 Dec 2026, 10:05 GMT-5"), and in UTC where a tooltip keeps the reference time.

/** Every zone the app accepts: the runtime's IANA zones (their canonical names), and UTC. */
export const TIME_ZONES: readonly string[] = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
const KNOWN_ZONES = new Set(TIME_ZONES);

/**
 * The canonical name of a zone the app accepts, or null. Browsers and ICU versions name some zones differently
 * ("Asia/Kolkata", "Asia/Calcutta"; "Etc/UTC", "UTC"), so a name is resolved before it is looked up.
 */
export function canonicalTimeZone(name: string | null | undefined): string | null {
  if (!name) return null;
  try {
    const resolved = new Intl.DateTimeFormat("en-GB", { timeZone: name }).resolvedOptions().timeZone;
    return KNOWN_ZONES.has(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

// Building a formatter is slow: one per zone name asked for (only names the app accepts are kept).
const formatters = new Map<string, { dateTime: Intl.DateTimeFormat; day: Intl.DateTimeFormat }>();

function formattersFor(timeZone: string) {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  const zone = canonicalTimeZone(timeZone);
  if (!zone) return formattersFor("UTC");
  const made = {
    // dateStyle and timeStyle cannot be combined with timeZoneName, hence the parts one by one.
    dateTime: new Intl.DateTimeFormat("en-GB", {
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: zone,
      timeZoneName: "short",
    }),
    // Canadian English writes a date as YYYY-MM-DD.
    day: new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone }),
  };
  formatters.set(timeZone, made);
  return made;
}

/** "3 Dec 2026, 16:05 CET": the moment in `timeZone` (an IANA name; one the app does not accept shows UTC). */
export function formatDateTime(date: Date, timeZone: string): string {
  return formattersFor(timeZone).dateTime.format(date);
}

/** The calendar day `date` falls on in `timeZone`, as "2026-12-03". */
export function dayIn(date: Date, timeZone: string): string {
  return formattersFor(timeZone).day.format(date);
}

/** A moment as a page shows it: the ISO instant for <time dateTime>, the zone's text, and UTC for the tooltip. */
export type Timestamp = { iso: string; text: string; utc: string };

export function timestamp(date: Date, timeZone: string): Timestamp {
  return { iso: date.toISOString(), text: formatDateTime(date, timeZone), utc: formatDateTime(date, "UTC") };
}

/** How long until a pause ends, in whole minutes (at least one): "15 minutes", "1 minute". */
export function minutesUntil(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** How long ago, in the largest whole unit: "just now", "5 minutes ago", "2 hours ago", "3 days ago". */
export function timeAgo(then: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - then.getTime()) / 60_000);
  if (minutes < 1) return "just now";
  const [value, unit] =
    minutes < 60
      ? [minutes, "minute"]
      : minutes < 48 * 60
        ? [Math.floor(minutes / 60), "hour"]
        : [Math.floor(minutes / 1440), "day"];
  return `${value} ${unit}${value === 1 ? "" : "s"} ago`;
}
