import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// One source of truth for the models: the SQLite and PostgreSQL schemas must declare exactly the same models.
const read = (provider: string) => fs.readFileSync(path.resolve(__dirname, `../../prisma/${provider}/schema.prisma`), "utf8");

function models(schema: string): string[] {
  return [...schema.matchAll(/^(model|enum) \w+ \{[\s\S]*?^\}/gm)].map((m) =>
    m[0]
      .split("\n")
      .map((line) => line.replace(/\/\/.*$/, "").trim().replace(/\s+/g, " "))
      .filter(Boolean)
      .join("\n"),
  );
}

describe("schema parity", () => {
  it("declares identical models for SQLite and PostgreSQL", () => {
    const sqlite = models(read("sqlite"));
    const postgres = models(read("postgres"));
    expect(sqlite.length).toBeGreaterThanOrEqual(8);
    expect(postgres).toEqual(sqlite);
  });

  it("has committed migrations for each provider", () => {
    const names = (provider: string) =>
      fs.readdirSync(path.resolve(__dirname, `../../prisma/${provider}/migrations`)).filter((n) => /^\d+_/.test(n));
    expect(names("postgres").length).toBeGreaterThan(0);
    expect(names("sqlite").length).toBeGreaterThan(0);
  });
});
