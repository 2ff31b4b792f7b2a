// sslmode in a postgresql:// URL is honoured the same way by the app and by migrations (the Prisma CLI config).
// The local PostgreSQL serves no TLS, so a mode that insists on TLS must fail against it, and disable must work; a
// throwaway cluster that speaks TLS shows what each mode checks.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseFailure } from "@/lib/db-errors";
import { parseDatabaseUrl, postgresSsl, withoutSslParams } from "@/lib/database-url";
import { createPrismaClient } from "@/lib/prisma";
import { createPostgresDatabase } from "../helpers/postgres";
import { ROOT } from "../helpers/migrate";
import { startTlsPostgres, type TlsPostgres } from "../helpers/tls-postgres";
import { ensureTestCa } from "../../stand-ins/test-ca";

let pg: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  pg = await createPostgresDatabase("sslmode");
});
afterAll(async () => {
  await pg?.drop();
});

const withMode = (mode: string) => `${pg.url}${pg.url.includes("?") ? "&" : "?"}sslmode=${mode}`;

function migrateStatus(url: string) {
  return spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "status"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("sslmode", () => {
  it("maps each mode to TLS settings: verify-ca checks the chain but not the host name, verify-full both", () => {
    const base = "postgresql://u@db.example:5432/app";
    expect(postgresSsl(base)).toBe(false);
    for (const mode of ["disable", "allow", "prefer"]) expect(postgresSsl(`${base}?sslmode=${mode}`)).toBe(false);
    expect(postgresSsl(`${base}?sslmode=require`)).toEqual({ rejectUnauthorized: true });
    expect(postgresSsl(`${base}?sslmode=verify-full`)).toEqual({ rejectUnauthorized: true });
    const ca = postgresSsl(`${base}?sslmode=verify-ca`);
    expect(ca).toMatchObject({ rejectUnauthorized: true });
    expect(ca && ca.checkServerIdentity?.("other.example", {} as never)).toBeUndefined();
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fes-ssl-")), "root.pem");
    fs.writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(postgresSsl(`${base}?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`)).toMatchObject({
      ca: fs.readFileSync(caFile, "utf8"),
    });
    expect(() => postgresSsl(`${base}?sslmode=verify-everything`)).toThrow(/sslmode=verify-everything is not one of/);
    expect(withoutSslParams(`${base}?sslmode=verify-full&application_name=fes&sslrootcert=x`)).toBe(
      `${base}?application_name=fes`,
    );
  });

  it("the app insists on TLS for verify-full and verify-ca (this server has none), and connects with disable", async () => {
    for (const mode of ["verify-full", "verify-ca", "require"]) {
      const db = createPrismaClient(parseDatabaseUrl(withMode(mode), ROOT));
      const err = await db.user.count().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, mode).not.toBeNull();
      expect(isDatabaseFailure(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(/does not support SSL/i);
      await db.$disconnect().catch(() => undefined);
    }
    const plain = createPrismaClient(parseDatabaseUrl(withMode("disable"), ROOT));
    expect(await plain.user.count()).toBe(0);
    await plain.$disconnect();
  });

  it("migrations insist on TLS for verify-full and verify-ca too (not only require), and run with disable", () => {
    for (const mode of ["verify-full", "verify-ca"]) {
      const r = migrateStatus(withMode(mode));
      expect(r.status, `${mode}: ${r.stdout}${r.stderr}`).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/does not support SSL/i);
    }
    const ok = migrateStatus(withMode("disable"));
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Database schema is up to date/);
  });
});

describe("sslmode against a PostgreSQL that speaks TLS (its certificate names only localhost)", () => {
  let tls: TlsPostgres;
  beforeAll(async () => {
    tls = await startTlsPostgres();
  });
  afterAll(() => {
    tls?.stop();
  });

  const ca = () => `sslrootcert=${encodeURIComponent(tls.caFile)}`;
  /** Whether the app's client connects with this URL, and over TLS: true, or the error. */
  async function connects(url: string): Promise<true | Error> {
    const db = createPrismaClient(parseDatabaseUrl(url, ROOT));
    try {
      const [row] = await db.$queryRaw<{ ssl: boolean }[]>`SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`;
      return row.ssl ? true : new Error("connected without TLS");
    } catch (err) {
      return err as Error;
    } finally {
      await db.$disconnect().catch(() => undefined);
    }
  }

  it("verify-full refuses the wrong host name, verify-ca accepts it (the chain is checked, the name is not)", async () => {
    const wrongName = await connects(tls.url("127.0.0.1", `sslmode=verify-full&${ca()}`));
    expect(wrongName).toBeInstanceOf(Error);
    expect(String((wrongName as Error).message)).toMatch(/Hostname\/IP does not match|altnames/i);
    expect(await connects(tls.url("127.0.0.1", `sslmode=verify-ca&${ca()}`))).toBe(true);
    expect(await connects(tls.url("localhost", `sslmode=verify-full&${ca()}`))).toBe(true);
  });

  // The test workers trust the test CA through NODE_EXTRA_CA_CERTS; sslrootcert replaces what is trusted, so another
  // certificate as the only root stands for a server whose chain this client does not trust.
  const otherRoot = () => `sslrootcert=${encodeURIComponent(ensureTestCa().untrustedCert)}`;

  it("verify-ca still checks the chain: under another root the certificate is refused", async () => {
    const unknownCa = await connects(tls.url("127.0.0.1", `sslmode=verify-ca&${otherRoot()}`));
    expect(unknownCa).toBeInstanceOf(Error);
    expect(String((unknownCa as Error).message)).toMatch(/self.signed|unable to (verify|get local issuer)/i);
  });

  it("require verifies too: under another root the certificate is refused, under its own it is accepted", async () => {
    const unknownCa = await connects(tls.url("localhost", `sslmode=require&${otherRoot()}`));
    expect(unknownCa).toBeInstanceOf(Error);
    expect(String((unknownCa as Error).message)).toMatch(/self.signed|unable to (verify|get local issuer)/i);
    expect(await connects(tls.url("localhost", `sslmode=require&${ca()}`))).toBe(true);
  });

  it("migrations honour the same modes: verify-ca reaches the server by address, verify-full does not", () => {
    const viaCa = migrateStatus(tls.url("127.0.0.1", `sslmode=verify-ca&${ca()}`));
    // Connected: the empty database has none of the migrations yet.
    expect(`${viaCa.stdout}${viaCa.stderr}`).toMatch(/not yet been applied|No migration found/i);
    const viaFull = migrateStatus(tls.url("127.0.0.1", `sslmode=verify-full&${ca()}`));
    expect(viaFull.status).not.toBe(0);
    expect(`${viaFull.stdout}${viaFull.stderr}`).not.toMatch(/not yet been applied/i);
  });
});
