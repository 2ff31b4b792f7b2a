// The Finance email area's History part: recent tests and every change to the settings, newest first.
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { requireMember } from "@/lib/session";
import { loadHistoryPart } from "../page-data";
import { RecentTests, SettingsHistory } from "../settings-cards";

export const metadata: Metadata = { title: "History · Finance email" };

export default async function HistoryPage() {
  const ctx = await requireMember({ path: "/settings/email/history" });
  const data = await loadHistoryPart(db, ctx);
  return (
    <>
      <RecentTests tests={data.tests} timeZone={ctx.org.timeZone} />
      <div className="mt-6">
        <SettingsHistory history={data.history} timeZone={ctx.org.timeZone} />
      </div>
    </>
  );
}
