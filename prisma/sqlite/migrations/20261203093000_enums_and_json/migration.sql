-- Closed sets become enums and JSON text becomes Json. On SQLite an enum is stored as TEXT, as these columns already
-- are, so only the Json columns change type (JSONB, which Prisma reads as JSON): their tables are redefined and every
-- row is copied as it is (the JSON text the app wrote). The JSON is checked first: text that is not JSON stops the
-- migration before any table changes.
SELECT count(json("details")) FROM "AuditEvent";
SELECT count(json("payload")) FROM "AlertDelivery";
SELECT count(json("report")) FROM "DomainCheck";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT,
    "actorId" TEXT,
    "actorEmail" TEXT,
    "action" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditEvent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AuditEvent" ("action", "actorEmail", "actorId", "createdAt", "details", "id", "orgId") SELECT "action", "actorEmail", "actorId", "createdAt", "details", "id", "orgId" FROM "AuditEvent";
DROP TABLE "AuditEvent";
ALTER TABLE "new_AuditEvent" RENAME TO "AuditEvent";
CREATE INDEX "AuditEvent_orgId_createdAt_idx" ON "AuditEvent"("orgId", "createdAt");
CREATE TABLE "new_AlertDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    CONSTRAINT "AlertDelivery_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AlertDelivery" ("attempts", "channel", "createdAt", "event", "id", "lastError", "nextAttemptAt", "orgId", "payload", "sentAt", "status", "target") SELECT "attempts", "channel", "createdAt", "event", "id", "lastError", "nextAttemptAt", "orgId", "payload", "sentAt", "status", "target" FROM "AlertDelivery";
DROP TABLE "AlertDelivery";
ALTER TABLE "new_AlertDelivery" RENAME TO "AlertDelivery";
CREATE INDEX "AlertDelivery_status_nextAttemptAt_idx" ON "AlertDelivery"("status", "nextAttemptAt");
CREATE INDEX "AlertDelivery_orgId_createdAt_idx" ON "AlertDelivery"("orgId", "createdAt");
CREATE TABLE "new_DomainCheck" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "presetId" TEXT NOT NULL,
    "checkedAt" DATETIME NOT NULL,
    "report" JSONB NOT NULL,
    "spfVerdict" TEXT NOT NULL,
    "dmarcVerdict" TEXT NOT NULL,
    CONSTRAINT "DomainCheck_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DomainCheck" ("checkedAt", "dmarcVerdict", "domain", "id", "orgId", "presetId", "report", "spfVerdict") SELECT "checkedAt", "dmarcVerdict", "domain", "id", "orgId", "presetId", "report", "spfVerdict" FROM "DomainCheck";
DROP TABLE "DomainCheck";
ALTER TABLE "new_DomainCheck" RENAME TO "DomainCheck";
CREATE UNIQUE INDEX "DomainCheck_orgId_key" ON "DomainCheck"("orgId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
