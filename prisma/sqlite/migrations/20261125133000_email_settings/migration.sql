-- CreateTable
CREATE TABLE "EmailSettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "security" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwordCiphertext" TEXT,
    "passwordKeyId" TEXT,
    "passwordSavedAt" DATETIME,
    "fromName" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "replyTo" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL,
    "updatedById" TEXT,
    "updatedByEmail" TEXT,
    "updatedByName" TEXT,
    "status" TEXT NOT NULL DEFAULT 'UNTESTED',
    "lastTestAt" DATETIME,
    "lastTestError" TEXT,
    "lastTestAdvice" TEXT,
    CONSTRAINT "EmailSettings_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "EmailSettings_orgId_key" ON "EmailSettings"("orgId");

