// What each stored ciphertext is bound to (AES-GCM additional data): its organisation and its purpose, so a secret
// copied to another row or another column does not decrypt. Every module that encrypts or rotates a secret names
// its binding from here.
export const passwordAad = (orgId: string) => `email-settings:${orgId}`;
export const oauthVerifierAad = (stateHash: string) => `oauth-request:${stateHash}`;
export const mailboxTokenAad = (orgId: string, purpose: "refresh" | "access") => `mailbox-link:${orgId}:${purpose}`;
export const webhookSecretAad = (orgId: string) => `alert-webhook:${orgId}`;
export const webhookUrlAad = (orgId: string) => `alert-webhook-url:${orgId}`;
