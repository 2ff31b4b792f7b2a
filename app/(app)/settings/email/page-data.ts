// The Finance email area's view models, one per part, for one member: the saved settings (never the password: only
// when it was saved) and the form's starting values, recent tests and the history, the kept Deliverability check.
// Read on the server for every render, from the database only: nothing here looks anything up on the network.
import "server-only";
import type { Db } from "@/lib/prisma";
import type { MemberContext } from "@/lib/session";
import { checkIsCurrent, keptDomainCheck, type StoredDomainCheck } from "@/lib/deliverability/domain-checks";
import { settingsHistory, type EmailSettingsView } from "@/lib/mailbox/settings";
import { formatDateTime } from "@/lib/format";
import { hasRole } from "@/lib/roles";
import { recentTestRuns, type TestRunRow } from "@/lib/mailbox/test-run";
import type { OAuthConfig, OAuthProviderId } from "@/lib/smtp/sign-in-providers";
import { getMailboxLink } from "@/lib/mailbox/link";
import type { SupportContact } from "@/lib/support";
import { readEmailSettings } from "@/app/(app)/org-settings";

/** The form's starting values: the saved settings, or blanks. Strings, as the form's inputs hold them. */
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
  /** "25 Nov 2026, 14:05 CET" (the organisation's zone) when a password is saved */
  passwordSavedOn: string | null;
};

export type SettingsChange = "changed" | { from: string; to: string };
export type HistoryEntry = {
  id: string;
  actorEmail: string | null;
  createdAt: Date;
  changes: Record<string, SettingsChange>;
};

/** Sign-in with Microsoft or Google: which the operator set up, and the organisation's linked mailbox, if any. */
export type MailboxSignInView = {
  configured: Record<OAuthProviderId, boolean>;
  /** Who to ask to set sign-in up, where it is not. */
  support: SupportContact;
  link: { provider: OAuthProviderId; email: string } | null;
};

/** The Account part: the form (or, for members, the settings read-only and who can change them). */
export type AccountPartData = {
  canEdit: boolean;
  settings: EmailSettingsView | null;
  form: EmailFormInitial;
  /** Who can change the settings, for members who cannot. */
  editors: string[];
  defaultSendTo: string;
  budgetSeconds: number;
  mailboxSignIn: MailboxSignInView;
};

/** The History part: recent tests and every change to the settings, newest first. */
export type HistoryPartData = { tests: TestRunRow[]; history: HistoryEntry[] };

/** The Deliverability part: the From domain's kept check, when it is about the current settings. */
export type DeliverabilityPartData = {
  canEdit: boolean;
  settings: EmailSettingsView | null;
  /** The kept check when it is about the current settings (same From domain and provider), else null. */
  deliverability: StoredDomainCheck | null;
};

const BLANK_FORM: EmailFormInitial = {
  provider: "",
  host: "",
  port: "",
  security: "starttls",
  user: "",
  fromName: "",
  fromAddress: "",
  replyTo: "",
  version: 0,
  passwordSavedOn: null,
};

function formInitial(settings: EmailSettingsView | null, timeZone: string): EmailFormInitial {
  if (!settings) return BLANK_FORM;
  return {
    provider: settings.provider,
    host: settings.host,
    port: String(settings.port),
    security: settings.security,
    user: settings.user,
    fromName: settings.fromName,
    // Shown blank when it is User: the form's placeholder says so, and a change of User then moves From with it.
    fromAddress: settings.fromAddress === settings.user ? "" : settings.fromAddress,
    replyTo: settings.replyTo,
    version: settings.version,
    passwordSavedOn: settings.passwordSavedAt ? formatDateTime(settings.passwordSavedAt, timeZone) : null,
  };
}

export async function loadAccountPart(
  db: Db,
  ctx: MemberContext,
  options: { budgetMs: number; oauth?: OAuthConfig; support?: SupportContact },
): Promise<AccountPartData> {
  const canEdit = hasRole(ctx.role, "ADMIN");
  const [settings, editors, link] = await Promise.all([
    readEmailSettings(db, ctx.org.id),
    canEdit
      ? Promise.resolve([])
      : db.membership.findMany({
          where: { orgId: ctx.org.id, role: { in: ["OWNER", "ADMIN"] } },
          select: { user: { select: { name: true } } },
        }),
    getMailboxLink(db, ctx.org.id),
  ]);
  return {
    canEdit,
    settings,
    form: formInitial(settings, ctx.org.timeZone),
    editors: editors.map((e) => e.user.name),
    defaultSendTo: ctx.user.email,
    budgetSeconds: Math.round(options.budgetMs / 1000),
    mailboxSignIn: {
      configured: {
        microsoft: Boolean(options.oauth?.clients.microsoft),
        google: Boolean(options.oauth?.clients.google),
      },
      support: options.support ?? { url: null, email: null },
      link: link ? { provider: link.provider, email: link.email } : null,
    },
  };
}

export async function loadHistoryPart(db: Db, ctx: MemberContext): Promise<HistoryPartData> {
  const [tests, history] = await Promise.all([recentTestRuns(db, ctx.org.id, 10), settingsHistory(db, ctx.org.id, 20)]);
  return {
    tests,
    history: history.map((event) => ({
      id: event.id,
      actorEmail: event.actorEmail,
      createdAt: event.createdAt,
      changes: (event.details as { changes?: Record<string, SettingsChange> }).changes ?? {},
    })),
  };
}

export async function loadDeliverabilityPart(db: Db, ctx: MemberContext): Promise<DeliverabilityPartData> {
  const [settings, domainCheck] = await Promise.all([
    readEmailSettings(db, ctx.org.id),
    keptDomainCheck(db, ctx.org.id),
  ]);
  return {
    canEdit: hasRole(ctx.role, "ADMIN"),
    settings,
    deliverability: settings && domainCheck && checkIsCurrent(domainCheck, settings) ? domainCheck : null,
  };
}
