// Organisations and the people in them, for integration tests: rows written straight through Prisma, so a test names
// only what matters to it (a role, an email it signs in with) and the rest gets a harmless default.
//
//   const org = await createOrg(db, "Riverside Clinic");
//   const admin = await person(db, org.id, { role: "ADMIN", name: "Priya Admin" });   // admin.membership.id too
//   await addMembership(db, admin.id, otherOrg.id, { role: "MEMBER", joinedAt: new Date("2026-01-01") });
//   await settingsRow(db, org.id, { provider: "google-workspace", host: "smtp.gmail.com", user: "billing@clinic.test" });
import crypto from "node:crypto";
import { emailSettingsSchema } from "@/lib/mailbox/schema";
import type { Db } from "@/lib/prisma";
import type { Role } from "@/lib/roles";

export type UserOptions = {
  /** Default: the name in lower case, words joined by dots, a random suffix, @clinic.test. */
  email?: string;
  /** Default: the part of the email before the @. */
  name?: string;
  /** Default "not-used": nobody signs in as this person unless the test passes a real hash. */
  passwordHash?: string;
  mustChangePassword?: boolean;
  temporaryPasswordExpiresAt?: Date;
};

export type MembershipOptions = {
  /** One of the app's roles (the database stores no other: the column is an enum). */
  role: Role;
  alertEmails?: boolean;
  /** When the membership began (a user's first organisation is the one they see). Default: now. */
  joinedAt?: Date;
};

export function createOrg(db: Db, name = "Riverside Clinic") {
  return db.organisation.create({ data: { name } });
}

/** A user who belongs to no organisation (yet). */
export function createUser(db: Db, { email, name, passwordHash = "not-used", ...rest }: UserOptions = {}) {
  const address =
    email ??
    `${(name ?? "person").toLowerCase().replace(/\W+/g, ".")}.${crypto.randomBytes(3).toString("hex")}@clinic.test`;
  return db.user.create({ data: { email: address, name: name ?? address.split("@")[0], passwordHash, ...rest } });
}

export function addMembership(
  db: Db,
  userId: string,
  orgId: string,
  { role, alertEmails, joinedAt }: MembershipOptions,
) {
  return db.membership.create({ data: { userId, orgId, role, alertEmails, createdAt: joinedAt } });
}

/** A user who is a member of `orgId`: the user's row, with the new membership as `membership`. */
export async function person(
  db: Db,
  orgId: string,
  { role, alertEmails, joinedAt, ...user }: UserOptions & MembershipOptions,
) {
  const created = await createUser(db, user);
  const membership = await addMembership(db, created.id, orgId, { role, alertEmails, joinedAt });
  return { ...created, membership };
}

/**
 * Saved settings written straight to the table, with no password (as a linked mailbox, or an old row, leaves them):
 * an "Other" STARTTLS server on 587, sending as `user`.
 */
export function settingsRow(
  db: Db,
  orgId: string,
  options: { provider?: string; host?: string; user?: string; fromAddress?: string } = {},
) {
  const { provider = "custom", host = "mail.example.test", user = "u@example.test" } = options;
  return db.emailSettings.create({
    data: {
      orgId,
      provider,
      host,
      port: 587,
      security: "starttls",
      username: user,
      fromName: "",
      fromAddress: options.fromAddress ?? user,
    },
  });
}

/**
 * What the email settings form posts (every value a string), parsed by the form's own schema: a STARTTLS server on 587,
 * no new password, no reply-to, version 0, unless `values` say otherwise.
 */
export function settingsForm(values: Record<string, string>) {
  return emailSettingsSchema.parse({
    port: "587",
    security: "starttls",
    password: "",
    replyTo: "",
    version: "0",
    ...values,
  });
}
