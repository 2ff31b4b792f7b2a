-- Temporary passwords expire (issue 11, point 8).
ALTER TABLE "User" ADD COLUMN "temporaryPasswordExpiresAt" TIMESTAMP(3);
