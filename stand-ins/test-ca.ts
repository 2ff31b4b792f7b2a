// Stand-in for the public certificate authorities: a local test CA that signs the other stand-ins' certificates.
//
// A throwaway certificate authority for the SMTP test fixture, made with the openssl CLI.
//
// Files (all PEM) in `dir`, default <repo>/tests/.artifacts/smtp-ca (gitignored):
//   ca.pem / ca-key.pem                 the test CA; vitest's global setup points NODE_EXTRA_CA_CERTS at ca.pem
//   server.pem / server-key.pem         signed by the CA, SAN DNS:localhost, IP:127.0.0.1
//   other.pem / other-key.pem           signed by the CA, SAN DNS:other.example only ("certificate for another name")
//   untrusted.pem / untrusted-key.pem   self-signed for localhost / 127.0.0.1, not from the CA
//   <label>.pem / <label>-key.pem       signed by the CA, SAN DNS:<a real server name> (gmail: smtp.gmail.com, office365:
//                                       smtp.office365.com) or several names and addresses (the benchmark's loopback hosts);
//                                       only made by ensureNamedCert() / ensureGmailCert(), for stand-ins that answer as
//                                       a provider's server name or on more than one address; never by ensureTestCa()
//
// Created once and reused. Safe when several processes call it at the same time: everything is generated in a
// private temporary directory which is then renamed into place in one step; the loser of the race discards its copy.
// A named pair is added to an existing directory later, under an exclusive lock file (<label>.lock) so that two
// processes never leave one's key beside the other's certificate.
import { execFileSync } from "node:child_process";
import { createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface TestCaFiles {
  dir: string;
  caFile: string;
  caKeyFile: string;
  serverCert: string;
  serverKey: string;
  otherCert: string;
  otherKey: string;
  untrustedCert: string;
  untrustedKey: string;
}

export const DEFAULT_TEST_CA_DIR = path.resolve(__dirname, "../tests/.artifacts/smtp-ca");

const FILES = {
  caFile: "ca.pem",
  caKeyFile: "ca-key.pem",
  serverCert: "server.pem",
  serverKey: "server-key.pem",
  otherCert: "other.pem",
  otherKey: "other-key.pem",
  untrustedCert: "untrusted.pem",
  untrustedKey: "untrusted-key.pem",
} as const;

const OPENSSL = fs.existsSync("/usr/bin/openssl") ? "/usr/bin/openssl" : "openssl";
const DAYS = "3650";
// P-256 keys: generated in milliseconds, and every TLS stack here accepts them.
const KEY_ARGS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const LEAF_EXTENSIONS = [
  "basicConstraints=critical,CA:FALSE",
  "keyUsage=critical,digitalSignature",
  "extendedKeyUsage=serverAuth",
];

function filesIn(dir: string): TestCaFiles {
  const out = { dir } as TestCaFiles;
  for (const [key, name] of Object.entries(FILES))
    (out as unknown as Record<string, string>)[key] = path.join(dir, name);
  return out;
}

/** All files present, parseable, and not expiring within a day. */
function isComplete(files: TestCaFiles): boolean {
  try {
    for (const key of Object.keys(FILES) as (keyof typeof FILES)[]) {
      if (fs.statSync(files[key]).size === 0) return false;
    }
    for (const cert of [files.caFile, files.serverCert, files.otherCert, files.untrustedCert]) {
      const x509 = new X509Certificate(fs.readFileSync(cert));
      if (new Date(x509.validTo).getTime() < Date.now() + 24 * 3600_000) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function openssl(cwd: string, args: string[]): void {
  execFileSync(OPENSSL, args, {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, OPENSSL_CONF: "/dev/null" },
  });
}

function serial(): string {
  return (
    "0x" +
    randomBytes(16)
      .toString("hex")
      .replace(/^[89a-f]/, "1")
  );
}

function signLeaf(cwd: string, name: string, cn: string, san: string): void {
  openssl(cwd, ["req", "-new", ...KEY_ARGS, "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
  fs.writeFileSync(
    path.join(cwd, `${name}.ext`),
    [...LEAF_EXTENSIONS, `subjectAltName=${san}`, "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"].join(
      "\n",
    ) + "\n",
  );
  openssl(cwd, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-set_serial",
    serial(),
    "-days",
    DAYS,
    "-sha256",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  ]);
  fs.rmSync(path.join(cwd, `${name}.csr`));
  fs.rmSync(path.join(cwd, `${name}.ext`));
}

/** A self-signed certificate and its key, `<name>.pem` and `<name>-key.pem`: the CA itself, or a leaf nobody trusts. */
function selfSigned(into: string, name: string, subject: string, extensions: string[]): void {
  openssl(into, [
    ...["req", "-x509", ...KEY_ARGS, "-keyout", `${name}-key.pem`, "-out", `${name}.pem`, "-days", DAYS],
    ...["-sha256", "-set_serial", serial(), "-subj", subject],
    ...extensions.flatMap((extension) => ["-addext", extension]),
  ]);
}

function generate(into: string): void {
  selfSigned(into, "ca", "/O=Finance Email Setup tests/CN=Finance Email Setup Test CA", [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
    "subjectKeyIdentifier=hash",
  ]);
  signLeaf(into, "server", "localhost", "DNS:localhost,IP:127.0.0.1");
  signLeaf(into, "other", "other.example", "DNS:other.example");
  selfSigned(into, "untrusted", "/CN=localhost", [
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "basicConstraints=critical,CA:FALSE",
    "extendedKeyUsage=serverAuth",
  ]);
}

/** Creates the test CA and certificates in `dir` unless they already exist; returns their paths. */
export function ensureTestCa(dir: string = DEFAULT_TEST_CA_DIR): TestCaFiles {
  dir = path.resolve(dir);
  const files = filesIn(dir);
  if (isComplete(files)) return files;

  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  fs.mkdirSync(tmp);
  try {
    generate(tmp);
    if (!isComplete(filesIn(tmp))) throw new Error(`openssl did not produce a usable test CA in ${tmp}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.renameSync(tmp, dir); // atomic: other processes see either nothing or the whole set
        return files;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EPERM") throw err;
        if (isComplete(files)) return files; // another process won the race: use its files
        // a stale, incomplete directory: move it out of the way (atomically) and try again
        const stale = `${dir}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
        try {
          fs.renameSync(dir, stale);
          fs.rmSync(stale, { recursive: true, force: true });
        } catch {
          // someone else moved it first
        }
      }
    }
    if (isComplete(files)) return files;
    throw new Error(`could not install the test CA into ${dir}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface TestCaGmailFiles extends TestCaFiles {
  /** Signed by the test CA, SAN DNS:smtp.gmail.com. */
  gmailCert: string;
  gmailKey: string;
}

/** A leaf for one real server name, signed by the test CA: `<label>.pem` and `<label>-key.pem` in the CA's folder. */
export interface TestCaNamedCert extends TestCaFiles {
  cert: string;
  key: string;
}

const LOCK_STALE_MS = 30_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The subjectAltName entries for host names and IP addresses. */
function subjectAltName(names: readonly string[]): string {
  return names.map((name) => (net.isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
}

/** The pair is present, signed by this directory's CA, names every host, matches its key, and lasts a day more. */
function isNamedCertComplete(files: TestCaNamedCert, names: readonly string[]): boolean {
  try {
    const ca = new X509Certificate(fs.readFileSync(files.caFile));
    const cert = new X509Certificate(fs.readFileSync(files.cert));
    const key = createPrivateKey(fs.readFileSync(files.key));
    return (
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      names.every((name) => (net.isIP(name) ? cert.checkIP(name) === name : cert.checkHost(name) === name)) &&
      cert.checkPrivateKey(key) &&
      new Date(cert.validTo).getTime() >= Date.now() + 24 * 3600_000
    );
  } catch {
    return false;
  }
}

/**
 * The test CA (as ensureTestCa) plus a leaf signed by it for one host name (an e2e spec pointing a real provider's
 * server name at a local stand-in) or for several names and IP addresses, made if missing, not from this CA, or not
 * naming them all. Several processes may call it at once.
 */
export function ensureNamedCert(
  hosts: string | readonly string[],
  label: string,
  dir: string = DEFAULT_TEST_CA_DIR,
): TestCaNamedCert {
  const names = typeof hosts === "string" ? [hosts] : hosts;
  const host = names[0];
  const base = ensureTestCa(dir);
  const files: TestCaNamedCert = {
    ...base,
    cert: path.join(base.dir, `${label}.pem`),
    key: path.join(base.dir, `${label}-key.pem`),
  };
  if (isNamedCertComplete(files, names)) return files;

  const lock = path.join(base.dir, `${label}.lock`);
  const deadline = Date.now() + 2 * LOCK_STALE_MS;
  for (;;) {
    let fd: number;
    try {
      fd = fs.openSync(lock, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (isNamedCertComplete(files, names)) return files; // another process has just made it
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { force: true }); // left by a crash
      } catch {
        // gone already
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleepSync(50);
      continue;
    }
    const tmp = `${base.dir}.${label}-tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      if (isNamedCertComplete(files, names)) return files;
      fs.mkdirSync(tmp);
      fs.copyFileSync(base.caFile, path.join(tmp, "ca.pem"));
      fs.copyFileSync(base.caKeyFile, path.join(tmp, "ca-key.pem"));
      signLeaf(tmp, label, host, subjectAltName(names));
      // Key first, then the certificate: until both are in place the pair does not match, so readers wait on the lock.
      fs.renameSync(path.join(tmp, `${label}-key.pem`), files.key);
      fs.renameSync(path.join(tmp, `${label}.pem`), files.cert);
      if (!isNamedCertComplete(files, names))
        throw new Error(`openssl did not produce a usable ${names.join(", ")} certificate in ${base.dir}`);
      return files;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(lock, { force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}

/** The test CA plus gmail.pem / gmail-key.pem, a leaf for DNS:smtp.gmail.com. */
export function ensureGmailCert(dir: string = DEFAULT_TEST_CA_DIR): TestCaGmailFiles {
  const { cert, key, ...base } = ensureNamedCert("smtp.gmail.com", "gmail", dir);
  return { ...base, gmailCert: cert, gmailKey: key };
}
