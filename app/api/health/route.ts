// Liveness and readiness for load balancers: the app version and whether the database answers. Nothing else.
import { db } from "@/lib/db";
import pkg from "@/package.json";

export const dynamic = "force-dynamic";

export async function GET() {
  let database: "ok" | "unavailable" = "ok";
  try {
    await db.$queryRaw`SELECT 1`;
  } catch {
    database = "unavailable";
  }
  return Response.json(
    { version: pkg.version, database },
    { status: database === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
