-- Alerts and the check schedule (issue 13).
ALTER TABLE "Organisation" ADD COLUMN "alertReminderHours" INTEGER NOT NULL DEFAULT 24;
ALTER TABLE "Organisation" ADD COLUMN "webhookUrlCiphertext" TEXT;
ALTER TABLE "Organisation" ADD COLUMN "webhookHost" TEXT;
ALTER TABLE "Organisation" ADD COLUMN "webhookSecretCiphertext" TEXT;
ALTER TABLE "Organisation" ADD COLUMN "webhookSetAt" DATETIME;
ALTER TABLE "Membership" ADD COLUMN "alertEmails" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "EmailSettings" ADD COLUMN "checkDueAt" DATETIME;
ALTER TABLE "EmailSettings" ADD COLUMN "failingDiagnosisId" TEXT;
ALTER TABLE "EmailSettings" ADD COLUMN "alertOpenSince" DATETIME;
ALTER TABLE "EmailSettings" ADD COLUMN "lastAlertAt" DATETIME;

CREATE TABLE "AlertDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    CONSTRAINT "AlertDelivery_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "AlertDelivery_status_nextAttemptAt_idx" ON "AlertDelivery"("status", "nextAttemptAt");
CREATE INDEX "AlertDelivery_orgId_createdAt_idx" ON "AlertDelivery"("orgId", "createdAt");

CREATE TABLE "HostSlot" (
    "host" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "holder" TEXT,
    "leaseUntil" DATETIME NOT NULL,

    PRIMARY KEY ("host", "slot")
);
