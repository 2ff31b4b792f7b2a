-- A test run's mode and the settings' security become enums, and a test run's steps (JSON text) become jsonb, as
-- 20261203093000_enums_and_json did for the other closed sets and JSON: every column is converted in place
-- (ALTER ... TYPE ... USING), so every row keeps its value. The Prisma CLI runs a migration's statements one by one,
-- not in one transaction, so every value is cast once before any column changes: a value outside its set, or text
-- that is not JSON, stops the migration with no column changed. Then fix the row, mark the attempt rolled back
-- (`prisma migrate resolve --rolled-back`) and migrate again: the types are made again.
-- A text default cannot be cast to jsonb in place, so it is dropped first and set again after.

-- CreateEnum
DROP TYPE IF EXISTS "Security";
CREATE TYPE "Security" AS ENUM ('ssl', 'starttls');
DROP TYPE IF EXISTS "TestRunMode";
CREATE TYPE "TestRunMode" AS ENUM ('send', 'check');

-- Check every value first (count() casts each row and returns one)
SELECT count("security"::"Security") FROM "EmailSettings";
SELECT count("mode"::"TestRunMode") + count("steps"::jsonb) FROM "SmtpTestRun";

-- AlterTable
ALTER TABLE "EmailSettings" ALTER COLUMN "security" TYPE "Security" USING "security"::"Security";

ALTER TABLE "SmtpTestRun" ALTER COLUMN "mode" TYPE "TestRunMode" USING "mode"::"TestRunMode",
ALTER COLUMN "steps" DROP DEFAULT,
ALTER COLUMN "steps" TYPE JSONB USING "steps"::jsonb,
ALTER COLUMN "steps" SET DEFAULT '[]';
