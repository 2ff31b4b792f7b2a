// The framework's floor for a signed-in page, for `npm run bench` only: Auth.js's auth() and one Prisma read,
// nothing else. Built only when BENCH_FLOOR=1 adds the "bench.tsx" page extension (next.config.js), so it is
// never part of a normal build. Outside the (app) group, whose layout would add its own work.
import { auth } from "@/lib/auth";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";

export default async function BenchFloorPage() {
  const session = await auth();
  const user = session?.user?.id
    ? await db.user.findUnique({ where: { id: session.user.id }, select: { name: true } })
    : null;
  return (
    <main id="main" className="mx-auto max-w-5xl px-4 py-8">
      <p data-testid="bench-floor">Signed in as {user?.name ?? "nobody"}</p>
    </main>
  );
}
