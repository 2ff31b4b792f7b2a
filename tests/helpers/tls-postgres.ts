// A throwaway PostgreSQL cluster that speaks TLS, for the sslmode tests: the local server on 5432 has no TLS, so
// without this no mode that verifies anything would ever meet a certificate. Its certificate, from the test CA,
// names only "localhost": reached as 127.0.0.1 the host name is wrong and the chain is right.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureNamedCert } from "../../stand-ins/test-ca";
import { freePort } from "./free-port";

export type TlsPostgres = {
  port: number;
  /** The test CA's certificate: sslrootcert for the verifying modes. */
  caFile: string;
  url(host: string, params: string): string;
  stop(): void;
};

/** PostgreSQL's server programs (initdb, pg_ctl), from Debian's versioned folder, newest first. */
function serverBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, "bin")).find((bin) => fs.existsSync(path.join(bin, "initdb")));
  if (!found) throw new Error(`No PostgreSQL server programs (initdb) under ${root}: install Debian's postgresql.`);
  return found;
}

export async function startTlsPostgres(): Promise<TlsPostgres> {
  const bin = serverBin();
  const cert = ensureNamedCert(["localhost"], "postgres-localhost");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fes-pgtls-"));
  const data = path.join(dir, "data");
  // initdb refuses to run as root: as root, the cluster belongs to the postgres user, as Debian's own does.
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()) : undefined;
  const run = (program: string, args: string[]) =>
    execFileSync(
      asRoot ? "runuser" : path.join(bin, program),
      asRoot ? ["-u", "postgres", "--", path.join(bin, program), ...args] : args,
      {
        stdio: "pipe",
        timeout: 60_000,
      },
    );
  const key = path.join(dir, "server.key");
  fs.copyFileSync(cert.key, key);
  fs.chmodSync(key, 0o600);
  if (owner !== undefined) {
    fs.chownSync(dir, owner, owner);
    fs.chownSync(key, owner, owner);
  }
  run("initdb", ["-D", data, "--auth=trust", "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c ssl=on",
    `-c ssl_cert_file=${cert.cert}`,
    `-c ssl_key_file=${key}`,
    "-c fsync=off",
  ].join(" ");
  run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "start"]);
  return {
    port,
    caFile: cert.caFile,
    url: (host, params) => `postgresql://postgres@${host}:${port}/postgres?${params}`,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
