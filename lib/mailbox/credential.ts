// What a saved account signs in with: its linked mailbox's access token, or its saved password. Shared by the test
// send and the scheduled check; a credential that cannot be had comes back as a diagnosis, not an exception.
import "server-only";
import type { Keyring } from "../secrets/crypto";
import { SecretDecryptError } from "../secrets/crypto";
import type { Db } from "../prisma";
import { passwordAad } from "../secrets/bindings";
import { OAUTH_PROVIDERS, type OAuthConfig } from "./link/providers";
import { mailboxAccessToken, OAuthRefreshError } from "./link/sign-in";
import type { MailboxCredential } from "./transports/transport";
import { mailboxSignInFailed, savedPasswordUnreadable, type Diagnosis } from "../smtp/diagnose";

export type SavedCredential =
  | { ok: true; credential: MailboxCredential }
  | { ok: false; detail: string; diagnosis: Diagnosis };

export async function savedCredential(
  deps: { db: Db; keyring: Keyring; oauth?: OAuthConfig },
  orgId: string,
  source: { withLink: true } | { withLink: false; passwordCiphertext: string },
): Promise<SavedCredential> {
  try {
    if (source.withLink) {
      const { accessToken } = await mailboxAccessToken({ ...deps, oauth: deps.oauth ?? { appUrl: undefined, clients: {} } }, orgId);
      return { ok: true, credential: { accessToken } };
    }
    return { ok: true, credential: { password: deps.keyring.decrypt(source.passwordCiphertext, passwordAad(orgId)) } };
  } catch (err) {
    if (err instanceof OAuthRefreshError) {
      const label = OAUTH_PROVIDERS[err.provider].label;
      return { ok: false, detail: err.message, diagnosis: mailboxSignInFailed({ providerLabel: label, code: err.code, description: err.description }) };
    }
    if (err instanceof SecretDecryptError) return { ok: false, detail: err.message, diagnosis: savedPasswordUnreadable(err.message) };
    throw err;
  }
}
