// How dates are shown to people, everywhere in the app: "25 Nov 2026, 13:05 UTC".
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Takes a Date, or an ISO string as dates arrive in JSON. */
export function formatDateTime(date: Date | string): string {
  return `${dateTime.format(typeof date === "string" ? new Date(date) : date)} UTC`;
}
