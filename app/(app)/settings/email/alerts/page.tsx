// The Finance email area's Alerts part (owners and admins): who is told, and how, when the account stops working.
import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/app/_components/card";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { requireMember } from "@/lib/session";
import { loadAlertsView } from "@/lib/watch/alert-settings";
import { readEmailSettings } from "../../../org-settings";
import { AlertsSection } from "../alerts-section";
import { NoAccountYet } from "../settings-cards";

export const metadata: Metadata = { title: "Alerts · Finance email" };

export default async function AlertsPage() {
  const ctx = await requireMember({ path: "/settings/email/alerts", minimum: "ADMIN" });
  const [settings, alerts] = await Promise.all([readEmailSettings(db, ctx.org.id), loadAlertsView(db, ctx.org)]);
  if (!settings) return <NoAccountYet title="Alerts" shows="Alerts about the account can be set up here" />;
  return (
    <div id="alerts">
      <Card
        title="Alerts"
        description={
          <>
            Who is told, and how, when the finance email account stops working.{" "}
            <Link href="/help/alerts" className="text-brand-700 underline">
              How alerts work
            </Link>
          </>
        }
      >
        <AlertsSection
          view={alerts}
          userId={ctx.user.id}
          systemMailConfigured={env().systemMail !== null}
          support={env().support}
          embedded={env().embedded}
        />
      </Card>
    </div>
  );
}
