-- When the account last worked. An account that never has is "not working yet": its failures are setup, not an
-- incident.
ALTER TABLE "EmailSettings" ADD COLUMN "workedAt" TIMESTAMP(3);

-- Accounts that worked before this column existed: the last passed check or test, or, for an account failing now
-- with an alert already sent, the start of that episode (it was treated as an incident, and stays one).
UPDATE "EmailSettings" SET "workedAt" = (
  SELECT MAX("t") FROM (
    SELECT MAX(a."checkedAt") AS "t" FROM "AccountCheck" a WHERE a."orgId" = "EmailSettings"."orgId" AND a."ok"
    UNION ALL
    SELECT MAX(r."createdAt") FROM "SmtpTestRun" r WHERE r."orgId" = "EmailSettings"."orgId" AND r."outcome" = 'SUCCESS'
    UNION ALL
    SELECT CASE WHEN "EmailSettings"."status" = 'WORKING' THEN COALESCE("EmailSettings"."lastCheckAt", "EmailSettings"."lastTestAt") END
    UNION ALL
    SELECT CASE WHEN "EmailSettings"."alertOpenSince" IS NOT NULL THEN "EmailSettings"."failingSince" END
  ) AS "worked"
);
