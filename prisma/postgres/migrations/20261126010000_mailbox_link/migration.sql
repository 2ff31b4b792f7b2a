-- Link a mailbox by signing in with Microsoft or Google (issue 12).
CREATE TABLE "MailboxLink" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "tenantId" TEXT,
    "refreshTokenCiphertext" TEXT NOT NULL,
    "accessTokenCiphertext" TEXT,
    "accessTokenExpiresAt" TIMESTAMP(3),
    "tokenVersion" INTEGER NOT NULL DEFAULT 1,
    "refreshLeaseUntil" TIMESTAMP(3),
    "linkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "linkedByEmail" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "MailboxLink_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "MailboxLink_orgId_key" ON "MailboxLink"("orgId");
ALTER TABLE "MailboxLink" ADD CONSTRAINT "MailboxLink_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "OAuthRequest" (
    "stateHash" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "sessionVersion" INTEGER NOT NULL,
    "codeVerifierCiphertext" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" TIMESTAMP(3),
    CONSTRAINT "OAuthRequest_pkey" PRIMARY KEY ("stateHash")
);
CREATE INDEX "OAuthRequest_createdAt_idx" ON "OAuthRequest"("createdAt");
