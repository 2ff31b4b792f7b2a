// The Finance email area's Deliverability part: SPF, DKIM and DMARC of the From address's domain, from the kept check.
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fromDomain } from "@/lib/deliverability/check-domain";
import { requireMember } from "@/lib/session";
import { DeliverabilityCard } from "../deliverability-card";
import { loadDeliverabilityPart } from "../page-data";
import { NoAccountYet } from "../settings-cards";

export const metadata: Metadata = { title: "Deliverability · Finance email" };

export default async function DeliverabilityPage() {
  const ctx = await requireMember({ path: "/settings/email/deliverability" });
  const data = await loadDeliverabilityPart(db, ctx);
  if (!data.settings)
    return <NoAccountYet title="Deliverability" shows="Whether receivers trust mail from your domain shows here" />;
  return (
    <div id="deliverability">
      <DeliverabilityCard
        check={data.deliverability}
        domain={fromDomain(data.settings.fromAddress)}
        canCheck={data.canEdit}
        timeZone={ctx.org.timeZone}
      />
    </div>
  );
}
