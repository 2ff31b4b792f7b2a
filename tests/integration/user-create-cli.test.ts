import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, ROOT, type TestDatabase } from "../helpers/database";
import { npmScript } from "../helpers/npm-script";
import { createOrg } from "../helpers/factories";
import { verifyPassword } from "@/lib/password";

// Runs the real script as an operator would, against a fresh database file.
let t: TestDatabase;

/** `{ email: "a@b", role: "admin" }` → `["--email", "a@b", "--role", "admin"]`, in the order given, then any bare flags. */
const flags = (options: Record<string, string>, ...bare: string[]) => [
  ...Object.entries(options).flatMap(([name, value]) => [`--${name}`, value]),
  ...bare,
];

function run(args: string[], stdin = "") {
  const command = npmScript("user:create");
  const result = spawnSync(command.file, [...command.args, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      NEXT_TELEMETRY_DISABLED: "1",
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
    input: stdin,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function findUser(email: string) {
  return t.db.user.findUnique({
    where: { email },
    omit: { passwordHash: false },
    include: { memberships: { include: { org: true } } },
  });
}

beforeAll(async () => {
  t = await createTestDatabase("user-create-cli");
  await createOrg(t.db, "Acme Finance");
});
afterAll(async () => {
  await t.drop();
});

describe("npm run user:create", () => {
  it("creates a user in an existing organisation", async () => {
    const r = run(
      flags({
        email: "Ana@Example.com",
        org: "Acme Finance",
        role: "Owner",
        name: "Ana Owner",
        password: "tram-violet9x",
      }),
    );
    expect(r).toEqual({ code: 0, stdout: 'Created Owner ana@example.com in "Acme Finance".\n', stderr: "" });

    const user = await findUser("ana@example.com");
    expect(user).not.toBeNull();
    expect(user!.name).toBe("Ana Owner");
    expect(user!.mustChangePassword).toBe(false);
    expect(await verifyPassword("tram-violet9x", user!.passwordHash)).toBe(true);
    expect(user!.memberships.map((m) => [m.org.name, m.role])).toEqual([["Acme Finance", "OWNER"]]);
  });

  it("refuses a duplicate email with exit code 1 and a clear message", async () => {
    const r = run(flags({ email: "ana@example.com", org: "Acme Finance", role: "member", password: "tram-violet9y" }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("user:create: A user with the email ana@example.com already exists.\n");
    const user = await findUser("ana@example.com");
    expect(await verifyPassword("tram-violet9x", user!.passwordHash)).toBe(true);
    expect(user!.memberships).toHaveLength(1);
  });

  it("refuses an unknown organisation unless --create-org is given", async () => {
    const r = run(["--email", "bo@example.com", "--org", "Globex", "--role", "admin", "--password", "tram-violet9x"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^user:create: No organisation is named "Globex".*--create-org.*\n$/);
    expect(await findUser("bo@example.com")).toBeNull();
    expect(await t.db.organisation.count({ where: { name: "Globex" } })).toBe(0);
  });

  it("creates the organisation with --create-org", async () => {
    const r = run(
      flags({ email: "bo@example.com", org: "Globex", role: "ADMIN", password: "tram-violet9x" }, "--create-org"),
    );
    expect(r).toEqual({
      code: 0,
      stdout: 'Created Admin bo@example.com in "Globex" (organisation created).\n',
      stderr: "",
    });
    expect(await t.db.organisation.count({ where: { name: "Globex" } })).toBe(1);
    const user = await findUser("bo@example.com");
    // the name defaults to the part of the email before the @
    expect(user!.name).toBe("bo");
    expect(user!.memberships.map((m) => [m.org.name, m.role])).toEqual([["Globex", "ADMIN"]]);
  });

  it("reads the password from the first line of stdin", async () => {
    const r = run(
      ["--email", "cy@example.com", "--org", "Acme Finance", "--role", "member"],
      "stdin-pass-phrase\r\nsecond line\n",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const user = await findUser("cy@example.com");
    expect(await verifyPassword("stdin-pass-phrase", user!.passwordHash)).toBe(true);
    expect(user!.memberships[0].role).toBe("MEMBER");
  });

  it.each([
    [
      "a missing --email",
      ["--org", "Acme Finance", "--role", "member", "--password", "tram-violet9x"],
      /--email is required/,
    ],
    [
      "an invalid email",
      ["--email", "not-an-email", "--org", "Acme Finance", "--role", "member", "--password", "tram-violet9x"],
      /--email: Enter a valid email address/,
    ],
    [
      "an unknown role",
      ["--email", "dee@example.com", "--org", "Acme Finance", "--role", "boss", "--password", "tram-violet9x"],
      /--role must be owner, admin or member/,
    ],
    [
      "a short password",
      ["--email", "dee@example.com", "--org", "Acme Finance", "--role", "member", "--password", "short"],
      /Password: Use at least 12 characters/,
    ],
    [
      "a common password",
      ["--email", "dee@example.com", "--org", "Acme Finance", "--role", "member", "--password", "password1234"],
      /Password: This password is too common/,
    ],
    [
      "no password at all",
      ["--email", "dee@example.com", "--org", "Acme Finance", "--role", "member"],
      /No password given/,
    ],
    [
      "an unknown option",
      flags({ email: "dee@example.com", org: "Acme Finance", role: "member", password: "tram-violet9x" }, "--sudo"),
      /Unknown option '--sudo'/,
    ],
  ])("refuses %s with exit code 1 and one line", async (_label, args, message) => {
    const r = run(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(await findUser("dee@example.com")).toBeNull();
  });
});
