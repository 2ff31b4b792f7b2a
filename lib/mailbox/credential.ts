// What an account signs in with: its linked mailbox's access token, or a password (typed, else saved). A saved
// password is used only for the server and user it was saved with. Shared by saving, the test send and the
// scheduled check; a credential that cannot be had comes back as a diagnosis, not an exception.
import "server-only";
import type { Keyring } from "../secrets/crypto";
import { SecretDecryptError } from "../secrets/crypto";
import type { Db } from "../prisma";
import { passwordAad } from "../secrets/bindings";
import { OAUTH_PROVIDERS, sendsWithMailboxLink, type OAuthConfig } from "../smtp/sign-in-providers";
import { mailboxAccessToken, OAuthRefreshError } from "./link";
import { UserFacingError } from "../errors";
import type { EmailSettingsInput } from "./schema";
import type { MailboxCredential } from "./transports/transport";
import { mailboxSignInFailed, savedPasswordUnreadable, type Diagnosis } from "../smtp/diagnose";

export const PASSWORD_AGAIN_MESSAGE = "Enter the password again: the server or user changed.";

/**
 * Whether the saved password may be used for these settings: only for the server and user it was saved with, so a
 * changed Server (or User) can never receive it. A change of TLS Port or Security on the same server keeps it.
 */
function savedPasswordApplies(
  saved: { host: string; username: string },
  settings: { host: string; user: string },
): boolean {
  return saved.host === settings.host && saved.username === settings.user;
}

/** Refuses, at the Password field, to use a saved password for another server or user (a blank Password). */
export function assertSavedPasswordApplies(
  saved: { host: string; username: string; passwordCiphertext: string | null } | null,
  settings: { host: string; user: string; password?: string },
) {
  if (!settings.password && saved?.passwordCiphertext && !savedPasswordApplies(saved, settings)) {
    throw new UserFacingError(PASSWORD_AGAIN_MESSAGE, "password");
  }
}

export type SavedCredential =
  { ok: true; credential: MailboxCredential } | { ok: false; detail: string; diagnosis: Diagnosis };

export async function savedCredential(
  deps: { db: Db; keyring: Keyring; oauth?: OAuthConfig },
  orgId: string,
  source: { withLink: true } | { withLink: false; passwordCiphertext: string },
): Promise<SavedCredential> {
  try {
    if (source.withLink) {
      const { accessToken } = await mailboxAccessToken(
        { ...deps, oauth: deps.oauth ?? { appUrl: undefined, clients: {} } },
        orgId,
      );
      return { ok: true, credential: { accessToken } };
    }
    return { ok: true, credential: { password: deps.keyring.decrypt(source.passwordCiphertext, passwordAad(orgId)) } };
  } catch (err) {
    if (err instanceof OAuthRefreshError) {
      const label = OAUTH_PROVIDERS[err.provider].label;
      return {
        ok: false,
        detail: err.message,
        diagnosis: mailboxSignInFailed({ providerLabel: label, code: err.code, description: err.description }),
      };
    }
    if (err instanceof SecretDecryptError)
      return { ok: false, detail: err.message, diagnosis: savedPasswordUnreadable(err.message) };
    throw err;
  }
}

type SavedSettings = {
  version: number;
  provider: string;
  host: string;
  port: number;
  security: string;
  username: string;
  fromAddress: string;
  passwordCiphertext: string | null;
} | null;

/**
 * Whether a test of these typed settings signs in with the linked mailbox: when no password is typed and the
 * settings send as that mailbox (its sign-in is bound to its provider's server). Otherwise a password, and a saved
 * one is refused here, before anything is recorded or any connection made, for another server or user.
 */
export function testSignsInWithLink(
  saved: SavedSettings,
  link: { provider: string; email: string } | null,
  input: EmailSettingsInput,
): boolean {
  const withLink = !input.password && sendsWithMailboxLink(link, input);
  if (!withLink) assertSavedPasswordApplies(saved, input);
  return withLink;
}

export type TestCredential =
  | { ok: true; credential: MailboxCredential; matchesSaved: boolean }
  | { ok: false; missing: true }
  | { ok: false; missing?: false; detail: string; diagnosis: Diagnosis; matchesSaved: boolean };

/**
 * What a test signs in with: the linked mailbox's sign-in; else the typed password, else the saved one (an
 * unreadable saved one matters only when none was typed). matchesSaved: what is tested is exactly what is saved,
 * password included (only then does the result move the settings' status).
 */
export async function credentialForTest(
  deps: { db: Db; keyring: Keyring; oauth?: OAuthConfig },
  orgId: string,
  test: { withLink: boolean; input: EmailSettingsInput; saved: SavedSettings },
): Promise<TestCredential> {
  const { input, saved } = test;
  if (test.withLink) {
    const found = await savedCredential(deps, orgId, { withLink: true });
    const matchesSaved = matchesSavedSettings(saved, input, undefined);
    return found.ok
      ? { ok: true, credential: found.credential, matchesSaved }
      : { ok: false, detail: found.detail, diagnosis: found.diagnosis, matchesSaved };
  }
  let savedPassword: string | undefined;
  if (saved?.passwordCiphertext) {
    const found = await savedCredential(deps, orgId, { withLink: false, passwordCiphertext: saved.passwordCiphertext });
    if (!found.ok && !input.password)
      return { ok: false, detail: found.detail, diagnosis: found.diagnosis, matchesSaved: false };
    if (found.ok) savedPassword = found.credential.password;
  }
  const password = input.password ?? savedPassword;
  if (!password) return { ok: false, missing: true };
  return { ok: true, credential: { password }, matchesSaved: matchesSavedSettings(saved, input, savedPassword) };
}

function matchesSavedSettings(
  saved: SavedSettings,
  input: EmailSettingsInput,
  savedPassword: string | undefined,
): boolean {
  return Boolean(
    saved &&
    saved.version === input.version &&
    saved.provider === input.provider &&
    saved.host === input.host &&
    saved.port === input.port &&
    saved.security === input.security &&
    saved.username === input.user &&
    saved.fromAddress === input.fromAddress &&
    (input.password === undefined || input.password === savedPassword),
  );
}
