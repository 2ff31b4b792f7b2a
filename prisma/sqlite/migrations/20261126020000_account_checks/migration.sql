-- Scheduled account checks (issue 13).
ALTER TABLE "EmailSettings" ADD COLUMN "lastCheckAt" DATETIME;
ALTER TABLE "EmailSettings" ADD COLUMN "checkFailures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "EmailSettings" ADD COLUMN "failingSince" DATETIME;

CREATE TABLE "AccountCheck" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "checkedAt" DATETIME NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "failedStep" TEXT,
    "diagnosisId" TEXT,
    "durationMs" INTEGER NOT NULL,
    CONSTRAINT "AccountCheck_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "AccountCheck_orgId_checkedAt_idx" ON "AccountCheck"("orgId", "checkedAt");
