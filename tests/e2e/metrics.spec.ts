import { expect } from "@playwright/test";
import { query, seedEmailSettings, seedOrganisation, test, useFreshApp } from "./support/app";

// /api/metrics for operators: Prometheus text from prom-client, behind a bearer token.
const TOKEN = "metrics-token-for-the-browser-test";
const app = useFreshApp({ METRICS_TOKEN: TOKEN });

async function savedAccount(orgName: string, status: string) {
  const orgId = await seedOrganisation(app(), orgName, [
    { email: `owner@${orgName.toLowerCase().replace(/\W+/g, "")}.example`, name: "Owner", role: "OWNER" },
  ]);
  await seedEmailSettings(app(), orgId, { status });
}

test("without the bearer token: 401; with it: Prometheus text with accounts by state and the process's own metrics", async ({
  request,
}) => {
  await savedAccount("Working Clinic", "WORKING");
  await savedAccount("Failing Clinic", "FAILING");
  await savedAccount("Another Failing Clinic", "FAILING");
  // One of them has a password saved and has never been checked: its check is due (nothing runs it here: WORKER=off).
  await query(
    app(),
    `UPDATE "EmailSettings" SET "passwordCiphertext" = 'v1.k.x' WHERE "orgId" = (SELECT id FROM "Organisation" WHERE name = 'Working Clinic')`,
  );

  const attempts: Record<string, string>[] = [
    {},
    { Authorization: "Bearer not-the-token-at-all" },
    { Authorization: TOKEN },
  ];
  for (const headers of attempts) {
    const refused = await request.get("/api/metrics", { headers });
    expect(refused.status()).toBe(401);
    expect(await refused.text()).not.toContain("fes_accounts");
  }
  const res = await request.get("/api/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/plain");
  const text = await res.text();
  expect(text).toContain('fes_accounts{state="working"} 1');
  expect(text).toContain('fes_accounts{state="failing"} 2');
  expect(text).toContain('fes_accounts{state="untested"} 0');
  expect(text).toMatch(/^fes_process_resident_memory_bytes \d+/m);
  // The watch's: checks run and failed, their duration, queue depth and alerts (this instance runs no checks: WORKER=off).
  expect(text).toContain('fes_account_checks_total{result="failed"} 0');
  expect(text).toContain("fes_account_check_duration_seconds_count 0");
  expect(text).toMatch(/^fes_check_queue_depth 1$/m);
  expect(text).toContain('fes_alerts_total{channel="webhook",outcome="failed"} 0');
  expect(text).toMatch(/^fes_alert_deliveries_pending 0$/m);
});
