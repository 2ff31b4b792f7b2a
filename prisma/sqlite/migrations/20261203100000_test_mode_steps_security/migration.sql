-- A test run's mode and the settings' security become enums, and a test run's steps (JSON text) become Json, as
-- 20261203093000_enums_and_json did for the other closed sets and JSON. On SQLite an enum is stored as TEXT, as these
-- columns already are, so only steps changes type (JSONB, which Prisma reads as JSON): the table is redefined and
-- every row is copied as it is (the JSON text the app wrote). The JSON is checked first: text that is not JSON stops
-- the migration before the table changes.
SELECT count(json("steps")) FROM "SmtpTestRun";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SmtpTestRun" (
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
    "steps" JSONB NOT NULL DEFAULT '[]',
    "matchesSaved" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_SmtpTestRun" ("createdAt", "diagnosisId", "durationMs", "failedStep", "host", "id", "matchesSaved", "mode", "orgId", "outcome", "port", "recipient", "reply", "steps", "userEmail", "userId") SELECT "createdAt", "diagnosisId", "durationMs", "failedStep", "host", "id", "matchesSaved", "mode", "orgId", "outcome", "port", "recipient", "reply", "steps", "userEmail", "userId" FROM "SmtpTestRun";
DROP TABLE "SmtpTestRun";
ALTER TABLE "new_SmtpTestRun" RENAME TO "SmtpTestRun";
CREATE INDEX "SmtpTestRun_orgId_createdAt_idx" ON "SmtpTestRun"("orgId", "createdAt");
CREATE INDEX "SmtpTestRun_userId_createdAt_idx" ON "SmtpTestRun"("userId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
