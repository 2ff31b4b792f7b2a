-- Link a mailbox by signing in with Microsoft or Google (issue 12).
CREATE TABLE "MailboxLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "tenantId" TEXT,
    "refreshTokenCiphertext" TEXT NOT NULL,
    "accessTokenCiphertext" TEXT,
    "accessTokenExpiresAt" DATETIME,
    "tokenVersion" INTEGER NOT NULL DEFAULT 1,
    "refreshLeaseUntil" DATETIME,
    "linkedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "linkedByEmail" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "MailboxLink_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "MailboxLink_orgId_key" ON "MailboxLink"("orgId");

CREATE TABLE "OAuthRequest" (
    "stateHash" TEXT NOT NULL PRIMARY KEY,
    "provider" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "sessionVersion" INTEGER NOT NULL,
    "codeVerifierCiphertext" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" DATETIME
);
CREATE INDEX "OAuthRequest_createdAt_idx" ON "OAuthRequest"("createdAt");
