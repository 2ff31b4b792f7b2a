import type { Metadata } from "next";
import { Card, PageHeader } from "@/app/_components/card";
import { db } from "@/lib/db";
import { formatDateTime, TIME_ZONES } from "@/lib/format";
import { listMembers } from "@/lib/members";
import { canAssignRole, ROLES } from "@/lib/roles";
import { requireMember } from "@/lib/session";
import { AddMemberForm } from "./add-member-form";
import { MemberRow, type MemberRowData } from "./member-row";
import { TimeZoneForm } from "./time-zone-form";

// The zones as the select lists them: "America/New York". Built once: the list is the runtime's.
const ZONE_OPTIONS = TIME_ZONES.map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }));

export const metadata: Metadata = { title: "Members" };
export const dynamic = "force-dynamic";

export default async function MembersPage() {
  const ctx = await requireMember({ minimum: "ADMIN", path: "/members" });
  const members = await listMembers(db, ctx.org.id);
  const owners = members.filter((m) => m.role === "OWNER").length;
  const rows: MemberRowData[] = members.map((m) => {
    const isSelf = m.userId === ctx.user.id;
    const lastOwner = m.role === "OWNER" && owners <= 1;
    const roleChoices = lastOwner ? [] : ROLES.filter((r) => canAssignRole(ctx.role, m.role, r));
    return {
      membershipId: m.id,
      name: m.user.name,
      email: m.user.email,
      role: m.role,
      pendingPassword: m.user.mustChangePassword,
      isSelf,
      roleChoices: roleChoices.length > 1 ? roleChoices : [],
      canRemove: !isSelf && !lastOwner && canAssignRole(ctx.role, m.role, m.role),
      canResetPassword: !isSelf && canAssignRole(ctx.role, m.role, m.role),
    };
  });

  return (
    <>
      <PageHeader
        title="Members"
        description="Owners and admins can change the finance email settings and send tests. Members can view them."
      />
      <div className="space-y-6">
        <Card title="Add a member" description="They get a temporary password to sign in with once.">
          <AddMemberForm assignableRoles={ROLES.filter((r) => canAssignRole(ctx.role, null, r))} />
        </Card>
        <Card title={`People in ${ctx.org.name}`}>
          <ul className="divide-y divide-slate-100">
            {rows.map((m) => (
              <MemberRow key={m.membershipId} member={m} />
            ))}
          </ul>
        </Card>
        <Card
          title="Organisation"
          description={`It is now ${formatDateTime(new Date(), ctx.org.timeZone)} in ${ctx.org.name}'s time zone.`}
        >
          <TimeZoneForm current={ctx.org.timeZone} zones={ZONE_OPTIONS} />
        </Card>
      </div>
    </>
  );
}
