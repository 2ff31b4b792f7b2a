-- Scheduled account checks (issue 13).
ALTER TABLE "EmailSettings" ADD COLUMN "lastCheckAt" TIMESTAMP(3);
ALTER TABLE "EmailSettings" ADD COLUMN "checkFailures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "EmailSettings" ADD COLUMN "failingSince" TIMESTAMP(3);

CREATE TABLE "AccountCheck" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "failedStep" TEXT,
    "diagnosisId" TEXT,
    "durationMs" INTEGER NOT NULL,
    CONSTRAINT "AccountCheck_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "AccountCheck_orgId_checkedAt_idx" ON "AccountCheck"("orgId", "checkedAt");
ALTER TABLE "AccountCheck" ADD CONSTRAINT "AccountCheck_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
