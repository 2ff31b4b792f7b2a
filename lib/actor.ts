// Who does something: the signed-in member, derived once per request from the session (MemberContext.actor) and
// handed to every domain function that changes data or records who did it. A function asks for the part it needs
// (Pick<Actor, …>), so a script or a test can act with less.
import type { Role } from "./roles";

export type Actor = { userId: string; email: string; name: string; orgId: string; role: Role; sessionVersion: number };
