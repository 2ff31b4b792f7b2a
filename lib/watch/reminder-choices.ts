// How often to remind while the account keeps failing: the Alerts section's choices. Its own module, without zod, so
// the browser can import it (zod's eval probe would be reported as a Content-Security-Policy violation).
export const REMINDER_CHOICES = [
  { value: "24", label: "Every 24 hours" },
  { value: "72", label: "Every 72 hours" },
  { value: "0", label: "Off: only the first alert and the recovery" },
] as const;
