// Prisma CLI configuration: the JavaScript schema engine over the same driver adapters the app uses, so no
// engine binary is downloaded. DATABASE_URL chooses the provider: file: is SQLite, postgresql:// is PostgreSQL,
// each with its own schema and committed migrations (prisma/sqlite, prisma/postgres).
import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { parseDatabaseUrl, postgresSsl } from "./lib/database-url";

const target = parseDatabaseUrl(process.env.DATABASE_URL);
const folder = target.provider === "sqlite" ? "sqlite" : "postgres";

export default defineConfig({
  schema: path.join("prisma", folder, "schema.prisma"),
  migrations: { path: path.join("prisma", folder, "migrations") },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    if (target.provider === "sqlite") {
      const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
      fs.mkdirSync(path.dirname(target.filePath), { recursive: true });
      return new PrismaBetterSQLite3({ url: target.filePath });
    }
    await import("./prisma/pg-cli-types");
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const url = new URL(target.url);
    // Discrete fields rather than a connection string, so a shadow database connection goes to the shadow
    // database; allowExitOnIdle so the CLI exits as soon as it is done.
    return new PrismaPg({
      host: url.hostname,
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      ssl: postgresSsl(target.url),
      allowExitOnIdle: true,
      idleTimeoutMillis: 500,
    });
  },
});
