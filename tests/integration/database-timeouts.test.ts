// A dead PostgreSQL answers with an error in seconds: the connection and each statement have their own timeout.
// Against the real server on 127.0.0.1:5432, and a port that accepts connections and never answers.
import net from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseFailure } from "@/lib/db-errors";
import { parseDatabaseUrl } from "@/lib/database-url";
import { createPrismaClient } from "@/lib/prisma";
import { createPostgresDatabase } from "../helpers/postgres";

let blackHole: net.Server;
let blackHolePort: number;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  blackHole = net.createServer((socket) => sockets.add(socket)); // accepts, never speaks
  await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
  blackHolePort = (blackHole.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blackHole.close(r));
});

async function timed<T>(work: Promise<T>) {
  const started = performance.now();
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  return { err, ms: performance.now() - started };
}

describe("PostgreSQL timeouts", () => {
  it("a server that never answers the connection fails after the connect timeout, as a database failure", async () => {
    const db = createPrismaClient(
      parseDatabaseUrl(`postgresql://postgres@127.0.0.1:${blackHolePort}/nothing`, process.cwd()),
      {
        connectTimeoutMs: 700,
        statementTimeoutMs: 5_000,
      },
    );
    const { err, ms } = await timed(db.user.count());
    expect(err).not.toBeNull();
    expect(isDatabaseFailure(err)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(ms).toBeLessThan(3_000);
    await db.$disconnect().catch(() => undefined);
  });

  it("a statement that runs too long is stopped by the statement timeout", async () => {
    const pg = await createPostgresDatabase("timeouts");
    const db = createPrismaClient(parseDatabaseUrl(pg.url, process.cwd()), {
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 500,
    });
    try {
      expect(await db.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      const { err, ms } = await timed(db.$queryRaw`SELECT pg_sleep(5)`);
      expect(err).not.toBeNull();
      expect(isDatabaseFailure(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(/statement timeout|canceling statement/i);
      expect(ms).toBeLessThan(2_500);
    } finally {
      await db.$disconnect();
      await pg.drop();
    }
  });
});
