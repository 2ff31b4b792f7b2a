// The deployment-wide limit of 5 checks at once per SMTP host: many takers racing get exactly 5 slots, a release
// frees one, and a slot whose holder died (its lease ran out) can be taken again. PostgreSQL in either pass: only
// the queue (several instances) uses the slots; on SQLite one process counts them in memory.
import { afterAll, beforeAll, expect, it } from "vitest";
import { tryTakeHostSlot } from "@/lib/watch/host-slots";
import { createPrismaClient, type Db } from "@/lib/prisma";
import { parseDatabaseUrl } from "@/lib/database-url";
import { createPostgresDatabase } from "../helpers/postgres";

let clients: Db[] = [];
let drop: () => Promise<void>;
beforeAll(async () => {
  const created = await createPostgresDatabase("host-slots");
  drop = created.drop;
  // Three clients on one database, as three instances would be.
  clients = [0, 1, 2].map(() => createPrismaClient(parseDatabaseUrl(created.url)));
});
afterAll(async () => {
  await Promise.all(clients.map((db) => db.$disconnect()));
  await drop?.();
});

it(`30 takers at once get exactly 5 slots for a host; released or expired slots are taken again`, async () => {
  const db = clients[0];
  const now = new Date();
  const takers = Array.from({ length: 30 }, (_, i) =>
    tryTakeHostSlot(clients[i % 3], "SMTP.Gmail.com", { limit: 5, leaseMs: 60_000 }, now),
  );
  const slots = await Promise.all(takers);
  const held = slots.filter((s) => s !== null);
  expect(held).toHaveLength(5);
  expect(await db.hostSlot.count({ where: { host: "smtp.gmail.com", holder: { not: null } } })).toBe(5);
  // Another host is not affected.
  expect(await tryTakeHostSlot(db, "smtp.office365.com", { limit: 5, leaseMs: 60_000 }, now)).not.toBeNull();

  expect(await tryTakeHostSlot(db, "smtp.gmail.com", { limit: 5, leaseMs: 60_000 }, now)).toBeNull();
  await held[0].release();
  expect(await tryTakeHostSlot(db, "smtp.gmail.com", { limit: 5, leaseMs: 60_000 }, now)).not.toBeNull();
  expect(await tryTakeHostSlot(db, "smtp.gmail.com", { limit: 5, leaseMs: 60_000 }, now)).toBeNull();
  // A minute later every lease has run out: a process that died holding slots does not block the host for ever.
  const later = new Date(now.getTime() + 60_001);
  const afterExpiry = await Promise.all(
    Array.from({ length: 7 }, () => tryTakeHostSlot(db, "smtp.gmail.com", { limit: 5, leaseMs: 60_000 }, later)),
  );
  expect(afterExpiry.filter((s) => s !== null)).toHaveLength(5);
});
