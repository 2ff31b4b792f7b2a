// The benchmarks' PostgreSQL administration: BENCH_POSTGRES_URL (an admin URL; default postgres on 127.0.0.1:5432),
// and one statement run on its own connection (CREATE DATABASE and DROP DATABASE cannot run in a transaction).
import pg from "pg";

export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

export async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
