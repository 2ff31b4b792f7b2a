// The Finance email page's data for the signed-in member (the page is a static shell that loads this).
// 401 with { redirectTo } when the member must first sign in, finish setup or change their password.
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { loadFinanceEmailPage } from "@/lib/finance-email-page";
import { checkMember } from "@/lib/session";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "private, no-store" };

export async function GET() {
  const member = await checkMember({ path: "/settings/email" });
  if ("redirectTo" in member) return Response.json(member, { status: 401, headers: NO_STORE });
  return Response.json(await loadFinanceEmailPage(db, member.ctx, { budgetMs: env().smtpTestBudgetMs }), { headers: NO_STORE });
}
