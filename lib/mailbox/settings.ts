// The organisation's finance email settings: read for display (never the password), save with an
// optimistic version check (no lost updates), encrypt the password, and audit what changed.
import "server-only";
import { tokenKeyId, type Keyring } from "../secrets/crypto";
import type { Db } from "../prisma";
import type { Actor } from "../actor";
import { recordAudit } from "../audit";
import { passwordAad } from "../secrets/bindings";
import { isUniqueViolation } from "../db-errors";
import { formatDateTime } from "../format";
import {
  oauthProviderForPreset,
  presetForLinkedMailbox,
  sendsWithMailboxLink,
  type OAuthProviderId,
} from "../smtp/sign-in-providers";
import { UserFacingError } from "../errors";
import { getPreset, isGooglePreset, type PresetId, type Security } from "../smtp/presets";
import { EMAIL_SETTINGS_FIELD_LABELS, type EmailSettingsInput } from "./schema";
import { assertSavedPasswordApplies } from "./credential";
import { markSaved, type SettingsStatus } from "./status";

/** What a page may show: everything but the password, which is reduced to "saved on". */
export type EmailSettingsView = {
  provider: PresetId;
  host: string;
  port: number;
  security: Security;
  user: string;
  fromName: string;
  fromAddress: string;
  replyTo: string;
  version: number;
  hasPassword: boolean;
  passwordSavedAt: Date | null;
  updatedAt: Date;
  updatedByName: string | null;
  /** NOT_SET_UP: saved, but nothing to send with (the linked mailbox was disconnected and no password is saved). */
  status: SettingsStatus;
  lastTestAt: Date | null;
  lastTestError: string | null;
  lastTestAdvice: string | null;
  /** When the scheduled check last logged in to the account (lib/watch). */
  lastCheckAt: Date | null;
  /** Since when the scheduled check finds it failing, and the diagnosis (for "Fix it"). */
  failingSince: Date | null;
  failingDiagnosisId: string | null;
  /** When the account last worked (a passed test or check); null: never yet, so its failures are setup, not an incident. */
  workedAt: Date | null;
  /** When the next scheduled check runs, when one is due (soon after a save). */
  checkDueAt: Date | null;
};

export const EMAIL_SETTINGS_SAVED = "email_settings.saved";

/** Fields compared for the audit trail, with their values as shown to people. */
const AUDITED_FIELDS = ["provider", "host", "port", "security", "user", "fromName", "fromAddress", "replyTo"] as const;
type AuditedField = (typeof AUDITED_FIELDS)[number];

/**
 * The settings as pages show them. The ciphertext is never read: whether a password is saved comes from
 * passwordSavedAt, which saveEmailSettings sets in the same write as the ciphertext and nothing ever clears
 * (rotateStoredSecrets in lib/secrets/stored-secrets.ts only replaces a ciphertext that exists).
 */
export async function getEmailSettings(db: Db, orgId: string): Promise<EmailSettingsView | null> {
  const row = await db.emailSettings.findUnique({
    where: { orgId },
    select: {
      provider: true,
      host: true,
      port: true,
      security: true,
      username: true,
      passwordSavedAt: true,
      fromName: true,
      fromAddress: true,
      replyTo: true,
      version: true,
      updatedAt: true,
      updatedByName: true,
      updatedByEmail: true,
      status: true,
      lastTestAt: true,
      lastTestError: true,
      lastTestAdvice: true,
      lastCheckAt: true,
      failingSince: true,
      failingDiagnosisId: true,
      workedAt: true,
      checkDueAt: true,
    },
  });
  if (!row) return null;
  return {
    provider: getPreset(row.provider)?.id ?? "custom",
    host: row.host,
    port: row.port,
    security: row.security,
    user: row.username,
    fromName: row.fromName,
    fromAddress: row.fromAddress,
    replyTo: row.replyTo ?? "",
    version: row.version,
    hasPassword: row.passwordSavedAt !== null,
    passwordSavedAt: row.passwordSavedAt,
    updatedAt: row.updatedAt,
    updatedByName: row.updatedByName ?? row.updatedByEmail,
    status: row.status,
    lastTestAt: row.lastTestAt,
    lastTestError: row.lastTestError,
    lastTestAdvice: row.lastTestAdvice,
    lastCheckAt: row.lastCheckAt,
    failingSince: row.failingSince,
    failingDiagnosisId: row.failingDiagnosisId,
    workedAt: row.workedAt,
    checkDueAt: row.checkDueAt,
  };
}

export type FailingAccount = { title: string | null; since: Date | null; diagnosisId: string | null };

/** Saves of the settings, newest first: who, when, and the audit details (JSON). */
export async function settingsHistory(db: Db, orgId: string, take = 20) {
  return db.auditEvent.findMany({
    where: { orgId, action: EMAIL_SETTINGS_SAVED },
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, actorEmail: true, createdAt: true, details: true },
  });
}

function displayValues(v: {
  provider: string;
  host: string;
  port: number;
  security: string;
  user: string;
  fromName: string;
  fromAddress: string;
  replyTo?: string | null;
}): Record<AuditedField, string> {
  return {
    provider: getPreset(v.provider)?.name ?? v.provider,
    host: v.host,
    port: String(v.port),
    security: v.security === "ssl" ? "SSL/TLS" : "STARTTLS",
    user: v.user,
    fromName: v.fromName,
    fromAddress: v.fromAddress,
    replyTo: v.replyTo ?? "",
  };
}

/** Who saves: recorded on the settings and in the audit trail. */
type SavedBy = Pick<Actor, "userId" | "email" | "name" | "orgId">;
export type SaveResult = { changed: string[]; version: number };

export class SettingsConflictError extends UserFacingError {}

export async function saveEmailSettings(
  { db, keyring }: { db: Db; keyring: Keyring },
  actor: SavedBy,
  input: EmailSettingsInput,
  now = new Date(),
): Promise<SaveResult> {
  return db.$transaction(async (tx) => {
    const current = await tx.emailSettings.findUnique({ where: { orgId: actor.orgId } });
    const currentVersion = current?.version ?? 0;
    if (input.version !== currentVersion) {
      const who = current?.updatedByName ?? current?.updatedByEmail ?? "Another admin";
      // The zone is read only here: a conflict is the one outcome that shows a time.
      const org = await tx.organisation.findUnique({ where: { id: actor.orgId }, select: { timeZone: true } });
      const when = current ? formatDateTime(current.updatedAt, org?.timeZone ?? "UTC") : "just now";
      throw new SettingsConflictError(
        `${who} changed these settings at ${when}, after you opened this page. Nothing was saved: reload to see their version, then make your change again.`,
      );
    }
    // A mailbox linked by signing in needs no password: the sign-in is what sends.
    const link = await tx.mailboxLink.findUnique({
      where: { orgId: actor.orgId },
      select: { provider: true, email: true },
    });
    const signedIn = sendsWithMailboxLink(link, input);
    if (!signedIn) assertSavedPasswordApplies(current, input);
    if (!signedIn && !input.password && !current?.passwordCiphertext) {
      const preset = getPreset(input.provider);
      throw new UserFacingError(
        isGooglePreset(input.provider) || preset?.passwordKind === "app-password"
          ? "Enter the app password."
          : "Enter the password.",
        "password",
      );
    }

    const before = current ? displayValues({ ...current, user: current.username }) : null;
    const after = displayValues(input);
    const changes: Record<string, unknown> = {};
    for (const field of AUDITED_FIELDS) {
      const from = before?.[field] ?? "";
      if (from !== after[field]) changes[field] = { from, to: after[field] };
    }
    if (input.password) changes.password = "changed";
    if (Object.keys(changes).length === 0) return { changed: [], version: currentVersion };

    const passwordCiphertext = input.password ? keyring.encrypt(input.password, passwordAad(actor.orgId)) : null;
    const data = {
      provider: input.provider,
      host: input.host,
      port: input.port,
      security: input.security,
      username: input.user,
      fromName: input.fromName,
      fromAddress: input.fromAddress,
      replyTo: input.replyTo ?? null,
      updatedById: actor.userId,
      updatedByEmail: actor.email,
      updatedByName: actor.name,
      // The key id read from the token itself: the keyring may move to a new key between two calls.
      ...(passwordCiphertext
        ? { passwordCiphertext, passwordKeyId: tokenKeyId(passwordCiphertext), passwordSavedAt: now }
        : {}),
    };

    let version: number;
    if (current) {
      // The version in the WHERE makes the check and the write one step, even across app instances.
      const updated = await tx.emailSettings.updateMany({
        where: { orgId: actor.orgId, version: currentVersion },
        data: { ...data, version: { increment: 1 } },
      });
      if (updated.count !== 1)
        throw new SettingsConflictError("Someone else saved these settings a moment ago. Reload and try again.");
      version = currentVersion + 1;
    } else {
      try {
        await tx.emailSettings.create({ data: { ...data, orgId: actor.orgId, version: 1 } });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new SettingsConflictError("Someone else saved these settings a moment ago. Reload and try again.");
        }
        throw err;
      }
      version = 1;
    }

    // Any change means the last test no longer describes these settings.
    await markSaved(tx, { orgId: actor.orgId, version }, now);
    await recordAudit(tx, {
      orgId: actor.orgId,
      actor,
      action: EMAIL_SETTINGS_SAVED,
      details: { changes },
    });
    return {
      changed: Object.keys(changes).map(
        (f) => EMAIL_SETTINGS_FIELD_LABELS[f as keyof typeof EMAIL_SETTINGS_FIELD_LABELS],
      ),
      version,
    };
  });
}

/**
 * After a mailbox is linked by signing in: the settings send as that mailbox, with its provider's preset (the one
 * already chosen if it is that provider's, else the one for the mailbox's domain). From name and Reply-to stay; a
 * From address that was only User follows the new User.
 */
export async function saveSettingsForLinkedMailbox(
  { db, keyring }: { db: Db; keyring: Keyring },
  actor: SavedBy,
  link: { provider: OAuthProviderId; email: string },
): Promise<SaveResult> {
  const current = await db.emailSettings.findUnique({ where: { orgId: actor.orgId } });
  const keepPreset = current && oauthProviderForPreset(current.provider) === link.provider;
  const preset = getPreset(keepPreset ? current.provider : presetForLinkedMailbox(link.provider, link.email))!;
  // The sign-in sends only to the preset's own server: its port and security stay as chosen if it is already that server.
  const server =
    keepPreset && current.host.toLowerCase() === preset.host
      ? { host: current.host, port: current.port, security: current.security }
      : preset;
  const ownFrom =
    current && current.fromAddress.toLowerCase() !== current.username.toLowerCase() ? current.fromAddress : link.email;
  return saveEmailSettings({ db, keyring }, actor, {
    provider: preset.id,
    host: server.host,
    port: server.port,
    security: server.security,
    user: link.email,
    password: undefined,
    fromName: current?.fromName ?? "",
    fromAddress: ownFrom,
    replyTo: current?.replyTo ?? undefined,
    version: current?.version ?? 0,
  });
}

/** The saved password, decrypted for a test send. Throws SecretDecryptError with a clear message on a key problem. */
export async function readSavedPassword(db: Db, keyring: Keyring, orgId: string): Promise<string | null> {
  const row = await db.emailSettings.findUnique({ where: { orgId }, select: { passwordCiphertext: true } });
  if (!row?.passwordCiphertext) return null;
  return keyring.decrypt(row.passwordCiphertext, passwordAad(orgId));
}
