// Prometheus scrape endpoint. Absent (404) unless the operator sets METRICS_TOKEN; then only a request with
// "Authorization: Bearer <METRICS_TOKEN>" gets the metrics.
import { NextResponse, type NextRequest } from "next/server";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { metrics, metricsTokenMatches } from "@/lib/metrics";
import { checkQueueDepth } from "@/lib/watch/schedule";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  const token = env().metricsToken;
  if (!token) return NextResponse.json({ error: "Not found." }, { status: 404 });
  if (!metricsTokenMatches(token, request.headers.get("authorization"))) {
    return NextResponse.json(
      { error: "A bearer token is required." },
      { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } },
    );
  }
  const intervalMinutes = env().watch.intervalMinutes;
  const { registry } = metrics(db, { checkQueueDepth: () => checkQueueDepth(db, intervalMinutes) });
  return new NextResponse(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
