// Shared set-up for the watch's tests: an account saved as an admin does (an "Other SMTP server" on the test SMTP
// server), and the dependencies a scheduler runs with, alerts going through a second test SMTP server as the
// system mailer.
import type { Actor } from "@/lib/actor";
import type { Keyring } from "@/lib/secrets/crypto";
import { saveEmailSettings } from "@/lib/mailbox/settings";
import type { Db } from "@/lib/prisma";
import { emailSettingsSchema } from "@/lib/mailbox/schema";
import type { WatchDeps } from "@/lib/watch/run-check";
import { DEFAULT_SMTP_PASSWORD, DEFAULT_SMTP_USER } from "../../stand-ins/smtp-test-server";

export const SYSTEM_MAIL_USER = "alerts@fes.example";
export const SYSTEM_MAIL_PASSWORD = "system-mail-pass";

/** Saves the test SMTP account on `port` (STARTTLS) for the actor's organisation, through saveEmailSettings. */
export async function saveTestAccount(
  db: Db,
  keyring: Keyring,
  actor: Pick<Actor, "userId" | "email" | "name" | "orgId">,
  port: number,
  version = 0,
) {
  const input = emailSettingsSchema.parse({
    provider: "custom",
    host: "localhost",
    port: String(port),
    security: "starttls",
    user: DEFAULT_SMTP_USER,
    password: DEFAULT_SMTP_PASSWORD,
    fromAddress: DEFAULT_SMTP_USER,
    version: String(version),
  });
  return saveEmailSettings({ db, keyring }, actor, input);
}

/**
 * What the schedulers run with in tests: private addresses and any port allowed (everything is on 127.0.0.1, the
 * webhook receivers on ports of their own), a 1-minute period.
 */
export function testWatchDeps(
  db: Db,
  keyring: Keyring,
  systemMailPort: number,
  clock: () => Date,
  budgetMs: number,
): WatchDeps {
  return {
    db,
    keyring,
    budgetMs,
    allowPrivate: true,
    systemMail: {
      host: "localhost",
      port: systemMailPort,
      security: "starttls",
      user: SYSTEM_MAIL_USER,
      password: SYSTEM_MAIL_PASSWORD,
      from: SYSTEM_MAIL_USER,
    },
    pageUrl: "https://fes.example/settings/email",
    network: { allowPrivate: true, allowedPorts: { ports: [], ranges: [[1, 65_535]] } },
    intervalMs: 60_000,
    concurrency: 20,
    clock,
  };
}
