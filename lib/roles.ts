// Roles within an organisation and what each may do. One place, so pages and actions agree.
export const ROLES = ["OWNER", "ADMIN", "MEMBER"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { MEMBER: 0, ADMIN: 1, OWNER: 2 };

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** true when `role` is at least `minimum` (OWNER > ADMIN > MEMBER). */
export function hasRole(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export const ROLE_LABELS: Record<Role, string> = { OWNER: "Owner", ADMIN: "Admin", MEMBER: "Member" };

/** Admins manage admins and members; only an owner may grant, change or remove the owner role. */
export function canAssignRole(actor: Role, from: Role | null, to: Role): boolean {
  if (!hasRole(actor, "ADMIN")) return false;
  if (actor === "OWNER") return true;
  return from !== "OWNER" && to !== "OWNER";
}
