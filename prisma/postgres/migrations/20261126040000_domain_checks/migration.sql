-- Deliverability checks of the From domain (issue 14).
CREATE TABLE "DomainCheck" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "presetId" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "report" TEXT NOT NULL,
    "spfVerdict" TEXT NOT NULL,
    "dmarcVerdict" TEXT NOT NULL,
    CONSTRAINT "DomainCheck_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "DomainCheck_orgId_key" ON "DomainCheck"("orgId");
ALTER TABLE "DomainCheck" ADD CONSTRAINT "DomainCheck_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
