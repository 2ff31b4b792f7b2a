// What the account's status means to the people who read it. Failing is an incident (red, alerts, a banner on every
// page) only for an account that worked before; one that never has is still being set up.
import type { EmailSettingsView } from "./settings";

export type AccountState = "none" | "disconnected" | "untested" | "working" | "not-working-yet" | "failing";

export function accountState(
  settings: (Pick<EmailSettingsView, "status"> & Partial<Pick<EmailSettingsView, "workedAt">>) | null,
): AccountState {
  if (!settings) return "none";
  switch (settings.status) {
    case "NOT_SET_UP":
      return "disconnected";
    case "WORKING":
      return "working";
    case "FAILING":
      return settings.workedAt ? "failing" : "not-working-yet";
    default:
      return "untested";
  }
}
