// memberAction: what a signed-in server action does before and around its body. The session is mocked here
// (Auth.js's auth() needs a request); session.test.ts covers reading it for real.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { MemberContext } from "@/lib/session";

const session = vi.hoisted(() => ({ ctx: null as MemberContext | null, fail: null as Error | null }));
vi.mock("@/lib/session", () => ({
  getMemberContext: () => (session.fail ? Promise.reject(session.fail) : Promise.resolve(session.ctx)),
}));

const { actionInput, DATABASE_FAILED, logActionError, memberAction } = await import("@/lib/action");
const { redirect } = await import("next/navigation");

const admin: MemberContext = {
  user: { id: "u1", name: "Priya Admin", email: "priya@clinic.test", mustChangePassword: false },
  org: { id: "o1", name: "Riverside Clinic", timeZone: "UTC" },
  role: "ADMIN",
  membershipId: "m1",
  sessionVersion: 0,
  actor: {
    userId: "u1",
    email: "priya@clinic.test",
    name: "Priya Admin",
    orgId: "o1",
    role: "ADMIN",
    sessionVersion: 0,
  },
};
const schema = z.strictObject({ user: z.email({ error: "Enter an email address." }), password: z.string().optional() });

let logged: string[];
beforeEach(() => {
  session.ctx = admin;
  session.fail = null;
  logged = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.join(" ")));
});
afterEach(() => vi.restoreAllMocks());

describe("memberAction", () => {
  it("takes a plain object as well as FormData, validated by the same schema", async () => {
    const body = vi.fn((input: z.infer<typeof schema>) =>
      Promise.resolve({ ok: true, message: `hello ${input.user}` }),
    );
    const action = memberAction({ name: "greet", minimum: "ADMIN", schema }, body);
    expect(await action({}, { user: "a@b.example" })).toMatchObject({ ok: true, message: "hello a@b.example" });
    const form = new FormData();
    form.set("user", "c@d.example");
    form.set("$ACTION_ID_abc", "");
    expect(await action({}, form)).toMatchObject({ ok: true, message: "hello c@d.example" });
    expect(await action({}, { user: "not an address" })).toMatchObject({
      ok: false,
      errors: { user: ["Enter an email address."] },
    });
    expect(await action({}, { user: "a@b.example", extra: "x" })).toMatchObject({ ok: false });
    expect(body).toHaveBeenCalledTimes(2);
  });

  it("refuses without a session or below the role, before the body runs", async () => {
    const body = vi.fn(() => Promise.resolve({ ok: true }));
    const action = memberAction({ name: "ownersOnly", minimum: "OWNER", schema }, body);
    expect((await action({}, { user: "a@b.example" })).message).toBe("Only owners can do this. Your role is admin.");
    session.ctx = null;
    expect((await action({}, { user: "a@b.example" })).message).toMatch(/session has ended/);
    expect(body).not.toHaveBeenCalled();
  });

  it("logs an unexpected error with the action's name, never the input, then lets Next show its error page", async () => {
    const action = memberAction({ name: "saveThing", minimum: "ADMIN", schema, secretFields: ["password"] }, () =>
      Promise.reject(new Error("connection pool exhausted")),
    );
    await expect(action({}, { user: "a@b.example", password: "hunter2-secret" })).rejects.toThrow(
      "connection pool exhausted",
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("[action] saveThing failed: Error: connection pool exhausted");
    expect(logged[0]).not.toContain("hunter2-secret");
  });

  it("a database failure, in the session check or the body, gives the form its message and what was typed, never the password", async () => {
    const down = Object.assign(new Error("Connection terminated due to connection timeout"), {
      clientVersion: "6.19.3",
    });
    const action = memberAction({ name: "save", minimum: "ADMIN", schema, secretFields: ["password"] }, () =>
      Promise.reject(down),
    );
    const typed = { user: "a@b.example", password: "hunter2-secret" };
    expect(await action({}, typed)).toMatchObject({
      ok: false,
      message: DATABASE_FAILED,
      values: { user: "a@b.example" },
    });
    session.fail = down;
    const state = await action({}, typed);
    expect(state).toMatchObject({ ok: false, message: DATABASE_FAILED, values: { user: "a@b.example" } });
    expect(JSON.stringify(state)).not.toContain("hunter2-secret");
    expect(logged).toHaveLength(2);
    expect(logged.join("\n")).not.toContain("hunter2-secret");
    const custom = memberAction(
      { name: "test", minimum: "ADMIN", schema, databaseFailure: "Could not run the test." },
      () => Promise.resolve({ ok: true }),
    );
    expect((await custom({}, typed)).message).toBe("Could not run the test.");
  });

  it("does not log Next's redirect, which works by throwing", async () => {
    const action = memberAction({ name: "goHome", minimum: "ADMIN", schema }, () => redirect("/"));
    await expect(action({}, { user: "a@b.example" })).rejects.toThrow();
    expect(logged).toEqual([]);
    logActionError("direct", new Error("boom"));
    expect(logged).toHaveLength(1);
  });
});

describe("actionInput", () => {
  it("drops React's $ACTION_ fields and files, and stringifies plain values", () => {
    const form = new FormData();
    form.set("$ACTION_KEY", "k");
    form.set("name", "Ana");
    form.set("upload", new Blob(["x"]));
    expect(actionInput(form)).toEqual({ name: "Ana" });
    expect(actionInput({ port: 587 })).toEqual({ port: "587" });
    expect(actionInput(null)).toEqual({});
  });
});
