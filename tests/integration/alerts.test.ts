// Alert messages: the email through the operator's system mailer (a real TLS SMTP server here)
// and the signed webhook body.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose } from "@/lib/smtp/diagnose";
import { alertContent, sendAlertEmail, webhookRequest, type AlertDetails } from "@/lib/watch/alerts";
import {
  DEFAULT_SMTP_PASSWORD,
  DEFAULT_SMTP_USER,
  REPLIES,
  startTestSmtpServer,
  type TestSmtpServer,
} from "../../stand-ins/smtp-test-server";

let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
});

// Google's 535 for an app password revoked by a password change, diagnosed as the test send does.
const googleRevoked = diagnose(
  { code: "EAUTH", responseCode: 535, response: REPLIES.badCredentials.join("\n"), command: "AUTH PLAIN" },
  { host: "smtp.gmail.com", port: 587, security: "starttls", provider: "google-mail", user: "accounts@gmail.com" },
);
const failing: AlertDetails = {
  event: "account.failing",
  organisation: { id: "org_1", name: "Riverside Physio", timeZone: "UTC" },
  diagnosis: googleRevoked,
  since: new Date("2030-01-01T09:00:00Z"),
  pageUrl: "https://finance-email.example/settings/email",
};

describe("alert emails", () => {
  it("say what broke in the diagnosis's words, since when, what else fails, and link to the page", () => {
    const { subject, text } = alertContent(failing);
    expect(subject).toBe("Action needed: finance email for Riverside Physio cannot send");
    expect(text).toContain("failing since 1 Jan 2030, 09:00 UTC");
    expect(text).toContain("The user name or password was not accepted.");
    expect(text).toContain(
      "App passwords are revoked when the Google account password changes: create a new app password and enter it here.",
    );
    expect(text).toContain("by any other system that uses them, will not go out");
    expect(text).toContain("Fix it here: https://finance-email.example/settings/email");
    expect(alertContent({ ...failing, event: "account.reminder" }).subject).toBe(
      "Still failing: finance email for Riverside Physio cannot send",
    );
    expect(alertContent({ ...failing, event: "account.recovered" })).toMatchObject({
      subject: "Finance email works again for Riverside Physio",
      text: expect.stringContaining("(it had been failing since 1 Jan 2030, 09:00 UTC)") as unknown,
    });
  });

  it("write their times in the organisation's time zone", () => {
    const inBerlin = { ...failing, organisation: { ...failing.organisation, timeZone: "Europe/Berlin" } };
    expect(alertContent(inBerlin).text).toContain("failing since 1 Jan 2030, 10:00 CET.");
    const inNewYork = {
      ...failing,
      event: "account.recovered" as const,
      organisation: { ...failing.organisation, timeZone: "America/New_York" },
    };
    expect(alertContent(inNewYork).text).toContain("(it had been failing since 1 Jan 2030, 04:00 GMT-5)");
  });

  it("go out through the system mailer, from its address, marked as automatic", async () => {
    const mail = {
      host: "localhost",
      port: smtp.starttlsPort,
      security: "starttls" as const,
      user: DEFAULT_SMTP_USER,
      password: DEFAULT_SMTP_PASSWORD,
      from: DEFAULT_SMTP_USER,
    };
    await sendAlertEmail(mail, "admin@riverside.example", failing);
    const message = smtp.messages.at(-1)!;
    expect(message).toMatchObject({
      envelopeTo: ["admin@riverside.example"],
      subject: "Action needed: finance email for Riverside Physio cannot send",
    });
    expect(message.raw).toContain("Auto-Submitted: auto-generated");
    expect(message.raw).not.toContain(DEFAULT_SMTP_PASSWORD);
  });
});

describe("webhook requests", () => {
  it("carry the event, organisation, diagnosis, since, page and a text for Slack and Teams, signed with HMAC-SHA256", () => {
    const secret = crypto.randomBytes(24).toString("hex");
    const { body, headers } = webhookRequest(failing, secret);
    expect(JSON.parse(body)).toEqual({
      event: "account.failing",
      organisation: { id: "org_1", name: "Riverside Physio" },
      diagnosis: { id: "bad-credentials", title: "The user name or password was not accepted" },
      since: "2030-01-01T09:00:00.000Z",
      page: "https://finance-email.example/settings/email",
      text: expect.stringMatching(
        /^Action needed: finance email for Riverside Physio cannot send\n\nThe finance email account/,
      ) as unknown,
    });
    const expected = crypto.createHmac("sha256", secret).update(body).digest("hex");
    expect(headers["X-Signature-256"]).toBe(`sha256=${expected}`);
    // Another secret, or a changed body, does not verify.
    expect(webhookRequest(failing, "another secret").headers["X-Signature-256"]).not.toBe(headers["X-Signature-256"]);
    expect(webhookRequest({ ...failing, since: null }, secret).headers["X-Signature-256"]).not.toBe(
      headers["X-Signature-256"],
    );
  });
});
