-- Sessions that can be ended (issue 11, point 5): every session token carries the version it was issued under.
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;
