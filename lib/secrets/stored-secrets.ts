// Every secret the app stores encrypted with the settings keyring, in one list: the SMTP passwords, a linked
// mailbox's refresh and access tokens, the alert webhooks' URLs and signing secrets, and the PKCE verifier of a
// mailbox sign-in in flight. Key rotation (npm run keys:rotate) reads, re-encrypts and counts them here, so a new kind
// of secret is rotated by adding it to this list.
import "server-only";
import type { Keyring } from "./crypto";
import type { Db } from "../prisma";
import { mailboxTokenAad, oauthVerifierAad, passwordAad, webhookSecretAad, webhookUrlAad } from "./bindings";

export type StoredSecret = {
  kind:
    | "SMTP password"
    | "mailbox refresh token"
    | "mailbox access token"
    | "webhook URL"
    | "webhook secret"
    | "mailbox sign-in verifier";
  orgId: string;
  orgName: string;
  ciphertext: string;
  aad: string;
  /** Replaces this ciphertext only if it is still the one read (a save or refresh racing with rotation wins). */
  replace(db: Db, ciphertext: string, keyId: string): Promise<number>;
};

export async function storedSecrets(db: Db): Promise<StoredSecret[]> {
  const [settings, links, webhooks, signIns] = await Promise.all([
    db.emailSettings.findMany({
      where: { passwordCiphertext: { not: null } },
      select: { id: true, orgId: true, passwordCiphertext: true, org: { select: { name: true } } },
    }),
    db.mailboxLink.findMany({
      select: {
        id: true,
        orgId: true,
        refreshTokenCiphertext: true,
        accessTokenCiphertext: true,
        org: { select: { name: true } },
      },
    }),
    db.organisation.findMany({
      where: { webhookSecretCiphertext: { not: null } },
      select: { id: true, name: true, webhookUrlCiphertext: true, webhookSecretCiphertext: true },
    }),
    // A spent sign-in's verifier is never read again.
    db.oAuthRequest.findMany({
      where: { usedAt: null },
      select: { stateHash: true, orgId: true, codeVerifierCiphertext: true },
    }),
  ]);
  const secrets: StoredSecret[] = [];
  for (const row of settings) {
    const ciphertext = row.passwordCiphertext!;
    secrets.push({
      kind: "SMTP password",
      orgId: row.orgId,
      orgName: row.org.name,
      ciphertext,
      aad: passwordAad(row.orgId),
      replace: async (db, next, keyId) =>
        (
          await db.emailSettings.updateMany({
            where: { id: row.id, passwordCiphertext: ciphertext },
            data: { passwordCiphertext: next, passwordKeyId: keyId },
          })
        ).count,
    });
  }
  for (const row of links) {
    const tokens = { refresh: row.refreshTokenCiphertext, access: row.accessTokenCiphertext } as const;
    for (const purpose of ["refresh", "access"] as const) {
      const ciphertext = tokens[purpose];
      if (!ciphertext) continue;
      const column = purpose === "refresh" ? "refreshTokenCiphertext" : "accessTokenCiphertext";
      secrets.push({
        kind: `mailbox ${purpose} token`,
        orgId: row.orgId,
        orgName: row.org.name,
        ciphertext,
        aad: mailboxTokenAad(row.orgId, purpose),
        replace: async (db, next) =>
          (await db.mailboxLink.updateMany({ where: { id: row.id, [column]: ciphertext }, data: { [column]: next } }))
            .count,
      });
    }
  }
  for (const org of webhooks) {
    for (const [kind, column, aad] of [
      ["webhook URL", "webhookUrlCiphertext", webhookUrlAad(org.id)],
      ["webhook secret", "webhookSecretCiphertext", webhookSecretAad(org.id)],
    ] as const) {
      const ciphertext = org[column];
      if (!ciphertext) continue;
      secrets.push({
        kind,
        orgId: org.id,
        orgName: org.name,
        ciphertext,
        aad,
        replace: async (db, next) =>
          (await db.organisation.updateMany({ where: { id: org.id, [column]: ciphertext }, data: { [column]: next } }))
            .count,
      });
    }
  }
  // A sign-in in flight has no relation to its organisation in the schema: its name is looked up for messages.
  const signInOrgs = new Map(
    (
      await db.organisation.findMany({
        where: { id: { in: [...new Set(signIns.map((r) => r.orgId))] } },
        select: { id: true, name: true },
      })
    ).map((org) => [org.id, org.name]),
  );
  for (const row of signIns) {
    const ciphertext = row.codeVerifierCiphertext;
    secrets.push({
      kind: "mailbox sign-in verifier",
      orgId: row.orgId,
      orgName: signInOrgs.get(row.orgId) ?? "(deleted organisation)",
      ciphertext,
      aad: oauthVerifierAad(row.stateHash),
      replace: async (db, next) =>
        (
          await db.oAuthRequest.updateMany({
            where: { stateHash: row.stateHash, codeVerifierCiphertext: ciphertext },
            data: { codeVerifierCiphertext: next },
          })
        ).count,
    });
  }
  return secrets;
}

/** Re-encrypts every stored secret under the keyring's current key. Returns how many changed, of how many. */
export async function rotateStoredSecrets(db: Db, keyring: Keyring): Promise<{ rotated: number; total: number }> {
  const secrets = await storedSecrets(db);
  let rotated = 0;
  for (const secret of secrets) {
    if (!keyring.needsRotation(secret.ciphertext)) continue;
    const plaintext = keyring.decrypt(secret.ciphertext, secret.aad);
    rotated += await secret.replace(db, keyring.encrypt(plaintext, secret.aad), keyring.currentKeyId);
  }
  return { rotated, total: secrets.length };
}

/** How many stored secrets are not under the given key (judged by each token's own key id). */
export async function countNotUnder(db: Db, keyId: string): Promise<number> {
  return (await storedSecrets(db)).filter((s) => !s.ciphertext.startsWith(`v1.${keyId}.`)).length;
}
