// Creates a user from the command line, e.g. to recover access when no owner can sign in.
// npm run user:create -- --email a@b.c --org "Name" --role owner|admin|member [--name "Full Name"] [--password X] [--create-org]
// Without --password the password is read from the first line of stdin (no echo when stdin is a terminal).
// Start it with npm run: the lib modules import "server-only", which loads only under the react-server condition the npm script passes to Node.
import readline from "node:readline";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { EnvError, loadDatabaseTarget } from "../lib/env";
import { UserFacingError } from "../lib/errors";
import { createPrismaClient } from "../lib/prisma";
import { isRole, ROLE_LABELS } from "../lib/roles";
import { provisionUser } from "../lib/users";
import { emailField, newPasswordField, personNameField } from "../lib/validation/account";

const USAGE =
  'Usage: npm run user:create -- --email a@b.c --org "Organisation" --role owner|admin|member [--name "Full Name"] [--password X] [--create-org]';

/** A problem with what was typed: printed as one line, exit code 1. */
class InputError extends Error {}

function firstIssue(result: { success: boolean; error?: { issues: { message: string }[] } }): string {
  return result.error?.issues[0]?.message ?? "invalid value";
}

/** The first line of stdin. On a terminal, prompts on stderr and does not echo what is typed. */
async function readPasswordLine(): Promise<string> {
  const interactive = Boolean(process.stdin.isTTY);
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({
    input: process.stdin,
    output: interactive ? output : undefined,
    terminal: interactive,
  });
  if (interactive) {
    process.stderr.write("Password: ");
    muted = true;
  }
  try {
    return await new Promise<string>((resolve) => {
      let answered = false;
      rl.once("line", (line) => {
        answered = true;
        resolve(line);
      });
      rl.once("close", () => {
        if (!answered) resolve("");
      });
    });
  } finally {
    rl.close();
    if (interactive) process.stderr.write("\n");
  }
}

async function readInput() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        email: { type: "string" },
        org: { type: "string" },
        role: { type: "string" },
        name: { type: "string" },
        password: { type: "string" },
        "create-org": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new InputError(`${(err as Error).message}. Run with --help for usage.`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!v.email) throw new InputError("--email is required. Run with --help for usage.");
  if (!v.org) throw new InputError("--org is required. Run with --help for usage.");
  if (!v.role) throw new InputError("--role is required. Run with --help for usage.");

  const email = emailField.safeParse(v.email);
  if (!email.success) throw new InputError(`--email: ${firstIssue(email)}`);

  const orgName = v.org.trim();
  if (orgName === "" || orgName.length > 120 || /[\r\n]/.test(orgName)) {
    throw new InputError("--org: give the organisation's name on one line, at most 120 characters.");
  }

  const role = v.role.trim().toUpperCase();
  if (!isRole(role)) throw new InputError(`--role must be owner, admin or member (got "${v.role}").`);

  const name = personNameField.safeParse(v.name ?? email.data.split("@")[0]);
  if (!name.success) throw new InputError(`--name: ${firstIssue(name)}`);

  const rawPassword = v.password ?? (await readPasswordLine()).replace(/\r$/, "");
  if (rawPassword === "") throw new InputError("No password given: pass --password or type it on stdin.");
  const password = newPasswordField.safeParse(rawPassword);
  if (!password.success) throw new InputError(`Password: ${firstIssue(password)}`);

  return { email: email.data, orgName, role, name: name.data, password: password.data, createOrg: v["create-org"] };
}

async function main(): Promise<number> {
  let db: ReturnType<typeof createPrismaClient> | undefined;
  try {
    const input = await readInput();
    db = createPrismaClient(loadDatabaseTarget());
    const orgExisted = input.createOrg ? (await db.organisation.count({ where: { name: input.orgName } })) > 0 : true;
    const { user, org } = await provisionUser(db, input);
    const created = orgExisted ? "" : " (organisation created)";
    process.stdout.write(`Created ${ROLE_LABELS[input.role]} ${user.email} in "${org.name}"${created}.\n`);
    return 0;
  } catch (err) {
    if (err instanceof InputError || err instanceof UserFacingError || err instanceof EnvError) {
      process.stderr.write(`user:create: ${err.message}\n`);
    } else if ((err as { code?: string }).code === "P2021") {
      process.stderr.write('user:create: the database has no tables yet. Run "npm run db:migrate" first.\n');
    } else {
      // Prisma's messages quote source code over several lines; the last line says what went wrong.
      const lines = String((err as Error)?.message ?? err)
        .split("\n")
        .filter((l) => l.trim() !== "");
      process.stderr.write(`user:create failed: ${lines[lines.length - 1] ?? "unknown error"}\n`);
    }
    return 1;
  } finally {
    await db?.$disconnect();
  }
}

// main() turns every failure into a message and an exit code.
void main().then((code) => process.exit(code));
