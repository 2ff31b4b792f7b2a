// Not a test: one app instance asking for the linked mailbox's access token, as a separate process (for the
// "instances refreshing at once" test). Input in MAILBOX_REFRESH (JSON); waits for "go" on stdin so that several
// processes start together; prints {"accessToken": ...}. Run with: node --conditions=react-server --import tsx <this>
import { createKeyring, keyFromBase64 } from "../../lib/secrets/crypto";
import { parseDatabaseUrl } from "../../lib/database-url";
import { mailboxAccessToken } from "../../lib/mailbox/link";
import { createPrismaClient } from "../../lib/prisma";

type Input = {
  databaseUrl: string;
  key: string;
  config: Parameters<typeof mailboxAccessToken>[0]["oauth"];
  orgId: string;
  offsetMinutes: number;
};

async function main() {
  const input = JSON.parse(process.env.MAILBOX_REFRESH ?? "{}") as Input;
  const db = createPrismaClient(parseDatabaseUrl(input.databaseUrl));
  await db.mailboxLink.count(); // connected before the start, so every process reads at the same moment
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  try {
    const now = () => new Date(Date.now() + input.offsetMinutes * 60_000);
    const { accessToken } = await mailboxAccessToken(
      { db, keyring: createKeyring([keyFromBase64(input.key)]), oauth: input.config },
      input.orgId,
      now,
    );
    process.stdout.write(JSON.stringify({ accessToken }) + "\n");
  } finally {
    await db.$disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).name}: ${(err as Error).message}\n`);
  process.exit(1);
});
