// The signed-in organisation's finance email settings, read once per request: the layout's failing banner, the
// page's status and form, and the Deliverability card all show the same row.
import "server-only";
import { cache } from "react";
import { getEmailSettings, type EmailSettingsView, type FailingAccount } from "@/lib/mailbox/settings";
import { accountState } from "@/lib/mailbox/account-state";
import type { Db } from "@/lib/prisma";

/** getEmailSettings, once per request for the same database and organisation (outside a request: every call reads). */
export const readEmailSettings = cache((db: Db, orgId: string): Promise<EmailSettingsView | null> =>
  getEmailSettings(db, orgId),
);

/**
 * The banner's view of the settings: what failed and since when, or null while the account is not failing. An
 * account that never worked is not an incident: it is still being set up, and the Finance email page says so.
 */
export function failingAccountOf(settings: EmailSettingsView | null): FailingAccount | null {
  if (!settings || accountState(settings) !== "failing") return null;
  return { title: settings.lastTestError, since: settings.failingSince, diagnosisId: settings.failingDiagnosisId };
}
