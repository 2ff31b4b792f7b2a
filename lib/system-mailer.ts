// Sends one plain-text email through the operator's system mailer (SYSTEM_MAIL_URL, parsed in lib/system-mail.ts):
// alerts to owners and admins, one-time sign-in codes. Always with timeouts, never without TLS.
import "server-only";
import nodemailer from "nodemailer";
import type { SystemMailConfig } from "./system-mail";

export async function sendSystemMail(
  mail: SystemMailConfig,
  message: { to: string; subject: string; text: string },
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: mail.host,
    port: mail.port,
    secure: mail.security === "ssl",
    requireTLS: mail.security === "starttls",
    auth: { user: mail.user, pass: mail.password },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  try {
    await transport.sendMail({
      from: { name: "Finance Email Setup", address: mail.from },
      ...message,
      headers: { "Auto-Submitted": "auto-generated" },
    });
  } finally {
    transport.close();
  }
}
