// The test email itself: says which organisation, which settings (never the password), who sent it and when.
import "server-only";
import MailComposer from "nodemailer/lib/mail-composer";

export const TEST_EMAIL_SUBJECT = "Test email from Finance Email Setup";

export type TestEmailDetails = {
  organisation: string;
  host: string;
  port: number;
  security: "ssl" | "starttls";
  user: string;
  fromName: string;
  fromAddress: string;
  replyTo?: string;
  to: string;
  sentBy: { name: string; email: string };
  sentAt: Date;
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function testEmailContent(d: TestEmailDetails) {
  const when = `${d.sentAt.toISOString().replace("T", " ").slice(0, 19)} UTC`;
  const rows: [string, string][] = [
    ["Organisation", d.organisation],
    ["Server", d.host],
    ["TLS Port", `${d.port} (${d.security === "ssl" ? "SSL/TLS" : "STARTTLS"})`],
    ["User", d.user],
    ["Sent by", `${d.sentBy.name} <${d.sentBy.email}>`],
    ["Sent at", when],
  ];
  const text = [
    `This is a test email from Finance Email Setup for ${d.organisation}.`,
    "If you can read it, these SMTP settings can send your finance mail:",
    "",
    ...rows.map(([k, v]) => `${k}: ${v}`),
    "",
    "No action is needed. The password is never included in this email.",
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<p>This is a test email from <strong>Finance Email Setup</strong> for <strong>${escapeHtml(d.organisation)}</strong>.</p>
<p>If you can read it, these SMTP settings can send your finance mail:</p>
<table cellpadding="4" style="border-collapse:collapse">${rows
    .map(
      ([k, v]) =>
        `<tr><th align="left" style="color:#475569;font-weight:600">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
    )
    .join("")}</table>
<p style="color:#475569">No action is needed. The password is never included in this email.</p>
</body></html>`;
  return { subject: TEST_EMAIL_SUBJECT, text, html };
}

/** The message, built only when a transport asks for it (a connection check never composes one). */
export function testMessage(d: TestEmailDetails): () => Promise<Buffer> {
  return () => buildTestMessage(d);
}

/** The full MIME message, ready for the SMTP DATA command. */
export async function buildTestMessage(d: TestEmailDetails): Promise<Buffer> {
  const { subject, text, html } = testEmailContent(d);
  const composer = new MailComposer({
    from: { name: d.fromName || d.organisation, address: d.fromAddress },
    to: d.to,
    replyTo: d.replyTo || undefined,
    subject,
    text,
    html,
    date: d.sentAt,
    headers: { "Auto-Submitted": "auto-generated" },
  });
  return composer.compile().build();
}
