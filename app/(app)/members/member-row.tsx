"use client";
import { useActionState } from "react";
import { ConfirmButton } from "@/app/_components/confirm-dialog";
import { SelectField, SubmitButton } from "@/app/_components/form";
import type { ActionState } from "@/lib/action";
import { ROLE_LABELS, type Role } from "@/lib/roles";
import { changeRoleAction, removeMemberAction, resetPasswordAction } from "./actions";
import { TemporaryPassword } from "./temporary-password";

export type MemberRowData = {
  membershipId: string;
  name: string;
  email: string;
  role: Role;
  pendingPassword: boolean;
  isSelf: boolean;
  /** roles the current user may move this member to; empty when they may not change it */
  roleChoices: Role[];
  canRemove: boolean;
  /** an owner or admin may give this member a new temporary password (not themselves, not an owner unless owner) */
  canResetPassword: boolean;
};

export function MemberRow({ member }: { member: MemberRowData }) {
  const [roleState, roleAction] = useActionState(changeRoleAction, {} as ActionState);
  const [removeState, removeAction] = useActionState(removeMemberAction, {} as ActionState);
  const [resetState, resetAction] = useActionState(resetPasswordAction, {} as ActionState);
  const error = [roleState, removeState, resetState].find((s) => s.ok === false)?.message;
  const roleSelectId = `role-${member.membershipId}`;
  return (
    <li className="py-4" data-testid="member-row">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="min-w-0">
          <p className="font-medium text-slate-900">
            {member.name} {member.isSelf && <span className="text-sm font-normal text-slate-500">(you)</span>}
          </p>
          <p className="truncate text-sm text-slate-600">{member.email}</p>
          {member.pendingPassword && (
            <p className="text-xs text-amber-700">Has not signed in yet (temporary password)</p>
          )}
          {/* Under the email it was made for, so it cannot be read as another row's. */}
          {resetState.ok && resetState.data?.temporaryPassword && (
            <div className="mt-2">
              <TemporaryPassword
                email={resetState.data.email}
                password={resetState.data.temporaryPassword}
                message={resetState.message}
              />
            </div>
          )}
          {error && (
            <p role="alert" className="mt-1 text-sm text-red-700">
              {error}
            </p>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {member.roleChoices.length > 0 ? (
            <form action={roleAction} className="flex items-center gap-2" key={roleState.at}>
              <input type="hidden" name="membershipId" value={member.membershipId} />
              <SelectField
                id={roleSelectId}
                name="role"
                label={`Role for ${member.email}`}
                hideLabel
                compact
                defaultValue={member.role}
                options={member.roleChoices.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
              />
              <SubmitButton pendingLabel="Saving…" variant="secondary" aria-label={`Change role for ${member.email}`}>
                Change role
              </SubmitButton>
            </form>
          ) : (
            <span className="rounded-full bg-slate-100 px-2.5 py-1 text-xs font-medium text-slate-700">
              {ROLE_LABELS[member.role]}
            </span>
          )}
          {member.canResetPassword && (
            <form action={resetAction}>
              <input type="hidden" name="membershipId" value={member.membershipId} />
              <ConfirmButton
                question={`Reset the password of ${member.email}?`}
                description="They are signed out everywhere at once and get a new temporary password, shown here once."
                confirmLabel="Reset password"
                pendingLabel="Resetting…"
                variant="secondary"
                aria-label={`Reset password for ${member.email}`}
              >
                Reset password
              </ConfirmButton>
            </form>
          )}
          {member.canRemove && (
            <form action={removeAction}>
              <input type="hidden" name="membershipId" value={member.membershipId} />
              <ConfirmButton
                question={`Remove ${member.email}?`}
                description="They will lose access at once."
                confirmLabel="Remove member"
                pendingLabel="Removing…"
                variant="danger"
                aria-label={`Remove ${member.email}`}
              >
                Remove
              </ConfirmButton>
            </form>
          )}
        </div>
      </div>
    </li>
  );
}
