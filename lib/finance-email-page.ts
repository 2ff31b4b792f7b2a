// Everything the Finance email page shows one member, as plain JSON. The page itself is a static shell (it is
// served like a file, see docs/benchmarks.md); its client part loads this from /api/settings/email.
// Nothing here is secret: the password is reduced to "saved on".
import type { Db } from "./prisma";
import type { MemberContext } from "./session";
import { getEmailSettings, settingsHistory, type EmailSettingsView } from "./email-settings";
import { formatDateTime } from "./format";
import { hasRole } from "./roles";
import { recentTestRuns } from "./settings-test";

/** The form's starting values: the saved settings, or blanks. */
export type EmailFormInitial = {
  provider: string;
  host: string;
  port: string;
  security: string;
  user: string;
  fromName: string;
  fromAddress: string;
  replyTo: string;
  version: number;
  /** "25 Nov 2026, 13:05 UTC" when a password is saved */
  passwordSavedOn: string | null;
};

/** The saved settings as JSON carries them: dates as ISO strings. */
export type EmailSettingsJson = Omit<EmailSettingsView, "passwordSavedAt" | "updatedAt" | "lastTestAt"> & {
  passwordSavedAt: string | null;
  updatedAt: string;
  lastTestAt: string | null;
};

export type TestRunSummary = {
  id: string;
  outcome: string;
  mode: string;
  recipient: string;
  host: string;
  port: number;
  failedStep: string | null;
  userEmail: string;
  durationMs: number | null;
  createdAt: string;
};

export type SettingsChange = "changed" | { from: string; to: string };

export type HistoryEntry = { id: string; actorEmail: string | null; createdAt: string; changes: Record<string, SettingsChange> };

export type FinanceEmailPageData = {
  canEdit: boolean;
  settings: EmailSettingsJson | null;
  form: EmailFormInitial;
  /** Who can change the settings, for members who cannot. */
  editors: string[];
  tests: TestRunSummary[];
  history: HistoryEntry[];
  defaultSendTo: string;
  budgetSeconds: number;
};

const BLANK_FORM: EmailFormInitial = {
  provider: "", host: "", port: "", security: "starttls", user: "", fromName: "", fromAddress: "", replyTo: "", version: 0, passwordSavedOn: null,
};

export async function loadFinanceEmailPage(db: Db, ctx: MemberContext, options: { budgetMs: number }): Promise<FinanceEmailPageData> {
  const canEdit = hasRole(ctx.role, "ADMIN");
  const [settings, history, editors, tests] = await Promise.all([
    getEmailSettings(db, ctx.org.id),
    settingsHistory(db, ctx.org.id, 20),
    canEdit
      ? Promise.resolve([])
      : db.membership.findMany({
          where: { orgId: ctx.org.id, role: { in: ["OWNER", "ADMIN"] } },
          select: { user: { select: { name: true } } },
        }),
    recentTestRuns(db, ctx.org.id, 10),
  ]);
  return {
    canEdit,
    settings: settings && {
      ...settings,
      passwordSavedAt: settings.passwordSavedAt?.toISOString() ?? null,
      updatedAt: settings.updatedAt.toISOString(),
      lastTestAt: settings.lastTestAt?.toISOString() ?? null,
    },
    form: settings
      ? {
          provider: settings.provider,
          host: settings.host,
          port: String(settings.port),
          security: settings.security,
          user: settings.user,
          fromName: settings.fromName,
          fromAddress: settings.fromAddress,
          replyTo: settings.replyTo,
          version: settings.version,
          passwordSavedOn: settings.passwordSavedAt ? formatDateTime(settings.passwordSavedAt) : null,
        }
      : BLANK_FORM,
    editors: editors.map((e) => e.user.name),
    tests: tests.map((t) => ({
      id: t.id,
      outcome: t.outcome,
      mode: t.mode,
      recipient: t.recipient,
      host: t.host,
      port: t.port,
      failedStep: t.failedStep,
      userEmail: t.userEmail,
      durationMs: t.durationMs,
      createdAt: t.createdAt.toISOString(),
    })),
    history: history.map((event) => ({
      id: event.id,
      actorEmail: event.actorEmail,
      createdAt: event.createdAt.toISOString(),
      changes: (JSON.parse(event.details) as { changes?: Record<string, SettingsChange> }).changes ?? {},
    })),
    defaultSendTo: ctx.user.email,
    budgetSeconds: Math.round(options.budgetMs / 1000),
  };
}
