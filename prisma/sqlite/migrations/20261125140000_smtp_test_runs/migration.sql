-- CreateTable
CREATE TABLE "SmtpTestRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "userEmail" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'RUNNING',
    "failedStep" TEXT,
    "diagnosisId" TEXT,
    "reply" TEXT,
    "durationMs" INTEGER,
    "steps" TEXT NOT NULL DEFAULT '[]',
    "matchesSaved" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "SmtpTestRun_orgId_createdAt_idx" ON "SmtpTestRun"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "SmtpTestRun_userId_createdAt_idx" ON "SmtpTestRun"("userId", "createdAt");

