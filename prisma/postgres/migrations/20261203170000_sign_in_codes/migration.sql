-- One-time sign-in codes, asked for when the right password comes from an unfamiliar address while the account is
-- being guessed at, and the addresses each user recently signed in from.
CREATE TABLE "SignInCode" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "challengeHash" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "triesLeft" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInCode_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "RecentSignIn" (
    "userId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecentSignIn_pkey" PRIMARY KEY ("userId","address")
);

CREATE UNIQUE INDEX "SignInCode_challengeHash_key" ON "SignInCode"("challengeHash");

CREATE INDEX "SignInCode_userId_createdAt_idx" ON "SignInCode"("userId", "createdAt");

ALTER TABLE "SignInCode" ADD CONSTRAINT "SignInCode_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "RecentSignIn" ADD CONSTRAINT "RecentSignIn_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
