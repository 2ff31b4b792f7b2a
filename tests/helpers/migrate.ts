// Applies the committed migrations to a database through the app's own Prisma CLI wrapper.
// Kept free of the generated client so browser-test support code can import it.
import { execFileSync } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

export function migrateDatabase(url: string) {
  execFileSync(process.execPath, [path.join(ROOT, "scripts/prisma.mjs"), "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: "pipe",
  });
}
