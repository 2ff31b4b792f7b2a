// vitest globalSetup: runs once in the main vitest process before any worker is forked.
// Creates the SMTP fixture's test CA (stand-ins/test-ca.ts) and makes the workers trust it: vitest builds each
// forked worker's environment from process.env after global setup has run, and Node reads NODE_EXTRA_CA_CERTS when a
// process starts, so every worker's default TLS trust store (rejectUnauthorized: true) then includes the test CA.
// (Verified by tests/integration/smtp-test-server.test.ts, which connects with no `ca` option.)
import { ensureTestCa } from "../../stand-ins/test-ca";

export default function setup(): void {
  const { caFile } = ensureTestCa();
  process.env.NODE_EXTRA_CA_CERTS = caFile;
}
