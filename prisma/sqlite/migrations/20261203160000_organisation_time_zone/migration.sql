-- The organisation's time zone (an IANA name) for the times the app and its alert emails show.
ALTER TABLE "Organisation" ADD COLUMN "timeZone" TEXT NOT NULL DEFAULT 'UTC';
