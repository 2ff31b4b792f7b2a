-- Alerts and the check schedule (issue 13).
ALTER TABLE "Organisation" ADD COLUMN "alertReminderHours" INTEGER NOT NULL DEFAULT 24;
ALTER TABLE "Organisation" ADD COLUMN "webhookUrlCiphertext" TEXT;
ALTER TABLE "Organisation" ADD COLUMN "webhookHost" TEXT;
ALTER TABLE "Organisation" ADD COLUMN "webhookSecretCiphertext" TEXT;
ALTER TABLE "Organisation" ADD COLUMN "webhookSetAt" TIMESTAMP(3);
ALTER TABLE "Membership" ADD COLUMN "alertEmails" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "EmailSettings" ADD COLUMN "checkDueAt" TIMESTAMP(3);
ALTER TABLE "EmailSettings" ADD COLUMN "failingDiagnosisId" TEXT;
ALTER TABLE "EmailSettings" ADD COLUMN "alertOpenSince" TIMESTAMP(3);
ALTER TABLE "EmailSettings" ADD COLUMN "lastAlertAt" TIMESTAMP(3);

CREATE TABLE "AlertDelivery" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    CONSTRAINT "AlertDelivery_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "AlertDelivery_status_nextAttemptAt_idx" ON "AlertDelivery"("status", "nextAttemptAt");
CREATE INDEX "AlertDelivery_orgId_createdAt_idx" ON "AlertDelivery"("orgId", "createdAt");
ALTER TABLE "AlertDelivery" ADD CONSTRAINT "AlertDelivery_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "HostSlot" (
    "host" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "holder" TEXT,
    "leaseUntil" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "HostSlot_pkey" PRIMARY KEY ("host","slot")
);
