// Prisma CLI configuration: the JavaScript schema engine over the same driver adapter the app uses,
// so no engine binary is downloaded. The provider follows DATABASE_URL.
import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { parseDatabaseUrl } from "./lib/database-url";

const target = parseDatabaseUrl(process.env.DATABASE_URL);
if (target.provider !== "sqlite") {
  throw new Error("Only SQLite is configured for the Prisma CLI so far");
}

export default defineConfig({
  schema: path.join("prisma", "sqlite", "schema.prisma"),
  migrations: { path: path.join("prisma", "sqlite", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    fs.mkdirSync(path.dirname(target.filePath), { recursive: true });
    return new PrismaBetterSQLite3({ url: target.filePath });
  },
});
