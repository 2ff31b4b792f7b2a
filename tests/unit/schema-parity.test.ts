import fs from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as postgresEnums from "@/lib/generated/postgres/enums";
import * as sqliteEnums from "@/lib/generated/sqlite/enums";
import type { SettingsStatus } from "@/lib/mailbox/status";
import type { TestRequest, TestRunRow } from "@/lib/mailbox/test-run";
import type { DeliveryMode, StepId } from "@/lib/mailbox/transports/transport";
import { ROLES, type Role } from "@/lib/roles";
import type { Security } from "@/lib/smtp/presets";
import type { OAuthProviderId } from "@/lib/smtp/sign-in-providers";
import type { AlertDeliveryRow } from "@/lib/watch/alert-settings";

// One source of truth: the SQLite and PostgreSQL schemas must declare exactly the same models and enums.
const read = (provider: string) =>
  fs.readFileSync(path.resolve(__dirname, `../../prisma/${provider}/schema.prisma`), "utf8");

function models(schema: string): string[] {
  return [...schema.matchAll(/^(model|enum) \w+ \{[\s\S]*?^\}/gm)].map((m) =>
    m[0]
      .split("\n")
      .map((line) =>
        line
          .replace(/\/\/.*$/, "")
          .trim()
          .replace(/\s+/g, " "),
      )
      .filter(Boolean)
      .join("\n"),
  );
}

describe("schema parity", () => {
  it("declares identical models and enums for SQLite and PostgreSQL", () => {
    const sqlite = models(read("sqlite"));
    const postgres = models(read("postgres"));
    expect(sqlite.filter((block) => block.startsWith("model ")).length).toBeGreaterThanOrEqual(8);
    expect(sqlite.filter((block) => block.startsWith("enum ")).length).toBeGreaterThanOrEqual(7);
    expect(postgres).toEqual(sqlite);
  });

  it("generates the same enums in both clients, and they are the values the code works with", () => {
    expect(postgresEnums).toEqual(sqliteEnums);
    expect(Object.values(sqliteEnums.Role)).toEqual(ROLES);
    // The code's own unions and the generated enums must stay the same sets (checked by tsc).
    expectTypeOf<sqliteEnums.Role>().toEqualTypeOf<postgresEnums.Role>();
    expectTypeOf<sqliteEnums.Role>().toEqualTypeOf<Role>();
    expectTypeOf<sqliteEnums.SettingsStatus>().toEqualTypeOf<SettingsStatus>();
    expectTypeOf<sqliteEnums.DeliveryStep>().toEqualTypeOf<StepId>();
    expectTypeOf<sqliteEnums.MailboxProvider>().toEqualTypeOf<OAuthProviderId>();
    expectTypeOf<sqliteEnums.AlertDeliveryStatus>().toEqualTypeOf<AlertDeliveryRow["status"]>();
    expectTypeOf<sqliteEnums.Security>().toEqualTypeOf<Security>();
    expectTypeOf<sqliteEnums.TestRunMode>().toEqualTypeOf<TestRequest["mode"]>();
    expectTypeOf<sqliteEnums.TestRunMode>().toEqualTypeOf<TestRunRow["mode"]>();
    // A test run is a send or a check the transport knows (its third mode, login, is the scheduled check's).
    expectTypeOf<sqliteEnums.TestRunMode>().toExtend<DeliveryMode>();
    expectTypeOf<sqliteEnums.TestRunOutcome>().toEqualTypeOf<TestRunRow["outcome"]>();
    expectTypeOf<sqliteEnums.DeliveryStep | null>().toEqualTypeOf<TestRunRow["failedStep"]>();
  });

  it("has committed migrations for each provider", () => {
    const names = (provider: string) =>
      fs.readdirSync(path.resolve(__dirname, `../../prisma/${provider}/migrations`)).filter((n) => /^\d+_/.test(n));
    expect(names("postgres").length).toBeGreaterThan(0);
    expect(names("sqlite").length).toBeGreaterThan(0);
  });
});
