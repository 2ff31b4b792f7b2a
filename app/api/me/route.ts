// Who is signed in, for the page header (name, organisation, role). 401 when nobody is.
import { checkMember } from "@/lib/session";

export const dynamic = "force-dynamic";

export type MeResponse = { name: string; email: string; role: "OWNER" | "ADMIN" | "MEMBER"; orgName: string };

export async function GET() {
  const member = await checkMember({ allowPendingPasswordChange: true });
  const headers = { "Cache-Control": "private, no-store" };
  if ("redirectTo" in member) return Response.json(member, { status: 401, headers });
  const { user, org, role } = member.ctx;
  return Response.json({ name: user.name, email: user.email, role, orgName: org.name } satisfies MeResponse, { headers });
}
