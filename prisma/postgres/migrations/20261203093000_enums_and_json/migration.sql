-- Closed sets become enums and JSON text becomes jsonb. Every column is converted in place (ALTER ... TYPE ... USING),
-- so every row keeps its value. The Prisma CLI runs a migration's statements one by one, not in one transaction, so
-- every value is cast once before any column changes: a value outside its set, or text that is not JSON, stops the
-- migration with no column changed. Then fix the row, mark the attempt rolled back (`prisma migrate resolve
-- --rolled-back`, which sets rolled_back_at in "_prisma_migrations") and migrate again: the types are made again.
-- A text default cannot be cast to an enum, so it is dropped first and set again after.

-- CreateEnum
DROP TYPE IF EXISTS "Role";
CREATE TYPE "Role" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');
DROP TYPE IF EXISTS "SettingsStatus";
CREATE TYPE "SettingsStatus" AS ENUM ('NOT_SET_UP', 'UNTESTED', 'WORKING', 'FAILING');
DROP TYPE IF EXISTS "TestRunOutcome";
CREATE TYPE "TestRunOutcome" AS ENUM ('RUNNING', 'SUCCESS', 'FAILURE');
DROP TYPE IF EXISTS "DeliveryStep";
CREATE TYPE "DeliveryStep" AS ENUM ('lookup', 'connect', 'tls', 'auth', 'envelope', 'message');
DROP TYPE IF EXISTS "MailboxProvider";
CREATE TYPE "MailboxProvider" AS ENUM ('microsoft', 'google');
DROP TYPE IF EXISTS "AlertChannel";
CREATE TYPE "AlertChannel" AS ENUM ('email', 'webhook');
DROP TYPE IF EXISTS "AlertDeliveryStatus";
CREATE TYPE "AlertDeliveryStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- Check every value first (count() casts each row and returns one)
SELECT count("role"::"Role") FROM "Membership";
SELECT count("details"::jsonb) FROM "AuditEvent";
SELECT count("status"::"SettingsStatus") FROM "EmailSettings";
SELECT count("outcome"::"TestRunOutcome") + count("failedStep"::"DeliveryStep") FROM "SmtpTestRun";
SELECT count("provider"::"MailboxProvider") FROM "MailboxLink";
SELECT count("provider"::"MailboxProvider") FROM "OAuthRequest";
SELECT count("failedStep"::"DeliveryStep") FROM "AccountCheck";
SELECT count("channel"::"AlertChannel") + count("payload"::jsonb) + count("status"::"AlertDeliveryStatus") FROM "AlertDelivery";
SELECT count("report"::jsonb) FROM "DomainCheck";

-- AlterTable
ALTER TABLE "Membership" ALTER COLUMN "role" TYPE "Role" USING "role"::"Role";

ALTER TABLE "AuditEvent" ALTER COLUMN "details" DROP DEFAULT,
ALTER COLUMN "details" TYPE JSONB USING "details"::jsonb,
ALTER COLUMN "details" SET DEFAULT '{}';

ALTER TABLE "EmailSettings" ALTER COLUMN "status" DROP DEFAULT,
ALTER COLUMN "status" TYPE "SettingsStatus" USING "status"::"SettingsStatus",
ALTER COLUMN "status" SET DEFAULT 'UNTESTED';

ALTER TABLE "SmtpTestRun" ALTER COLUMN "outcome" DROP DEFAULT,
ALTER COLUMN "outcome" TYPE "TestRunOutcome" USING "outcome"::"TestRunOutcome",
ALTER COLUMN "outcome" SET DEFAULT 'RUNNING',
ALTER COLUMN "failedStep" TYPE "DeliveryStep" USING "failedStep"::"DeliveryStep";

ALTER TABLE "MailboxLink" ALTER COLUMN "provider" TYPE "MailboxProvider" USING "provider"::"MailboxProvider";

ALTER TABLE "OAuthRequest" ALTER COLUMN "provider" TYPE "MailboxProvider" USING "provider"::"MailboxProvider";

ALTER TABLE "AccountCheck" ALTER COLUMN "failedStep" TYPE "DeliveryStep" USING "failedStep"::"DeliveryStep";

ALTER TABLE "AlertDelivery" ALTER COLUMN "channel" TYPE "AlertChannel" USING "channel"::"AlertChannel",
ALTER COLUMN "payload" TYPE JSONB USING "payload"::jsonb,
ALTER COLUMN "status" DROP DEFAULT,
ALTER COLUMN "status" TYPE "AlertDeliveryStatus" USING "status"::"AlertDeliveryStatus",
ALTER COLUMN "status" SET DEFAULT 'PENDING';

ALTER TABLE "DomainCheck" ALTER COLUMN "report" TYPE JSONB USING "report"::jsonb;
