// Alert messages: the email through the operator's system mailer (a real TLS SMTP server here), the webhook body,
// and its signature as the help page's receiver sample checks it.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose } from "@/lib/smtp/diagnose";
import { alertContent, sendAlertEmail, webhookBody, type AlertDetails } from "@/lib/watch/alerts";
import { webhookSignatureHeaders } from "@/lib/watch/webhook-signature";
import {
  DEFAULT_SMTP_PASSWORD,
  DEFAULT_SMTP_USER,
  REPLIES,
  startTestSmtpServer,
  type TestSmtpServer,
} from "../../stand-ins/smtp-test-server";
import { loadVerifySample, type VerifyWebhook } from "../../stand-ins/webhook-receiver";

let smtp: TestSmtpServer;
let verify: VerifyWebhook;
beforeAll(async () => {
  [smtp, verify] = await Promise.all([startTestSmtpServer(), loadVerifySample()]);
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
  it("carry the event, organisation, diagnosis, since, page and a text for Slack and Teams", () => {
    expect(JSON.parse(webhookBody(failing))).toEqual({
      event: "account.failing",
      organisation: { id: "org_1", name: "Riverside Physio" },
      diagnosis: { id: "bad-credentials", title: "The user name or password was not accepted" },
      since: "2030-01-01T09:00:00.000Z",
      page: "https://finance-email.example/settings/email",
      text: expect.stringMatching(
        /^Action needed: finance email for Riverside Physio cannot send\n\nThe finance email account/,
      ) as unknown,
    });
  });

  it("are signed over their time, delivery id and body: the help page's sample accepts them, and refuses a replay with another time or id, an old one, or another body or secret", () => {
    const secret = `whsec_${crypto.randomBytes(24).toString("base64url")}`;
    const body = webhookBody(failing);
    const signed = (at: Date, id = "cmdelivery1") =>
      Object.fromEntries(
        Object.entries(webhookSignatureHeaders(body, { secret, id, at })).map(([k, v]) => [k.toLowerCase(), v]),
      );
    const now = signed(new Date());
    expect(now).toMatchObject({
      "x-webhook-id": "cmdelivery1",
      "x-webhook-timestamp": expect.stringMatching(/^\d{10}$/) as unknown,
      "x-signature-256": expect.stringMatching(/^sha256=[0-9a-f]{64}$/) as unknown,
    });
    expect(verify(now, body, secret)).toBe(true);
    expect(verify(now, Buffer.from(body), secret)).toBe(true);

    // The same signature with the time or the id changed (to get past a receiver's window or its seen ids): refused.
    const later = String(Number(now["x-webhook-timestamp"]) + 60);
    expect(verify({ ...now, "x-webhook-timestamp": later }, body, secret)).toBe(false);
    expect(verify({ ...now, "x-webhook-id": "cmdelivery2" }, body, secret)).toBe(false);
    // Replayed as it was, 6 minutes later: outside the 5-minute window. Within it, still accepted.
    expect(verify(signed(new Date(Date.now() - 6 * 60_000)), body, secret)).toBe(false);
    expect(verify(signed(new Date(Date.now() - 4 * 60_000)), body, secret)).toBe(true);
    // Another body, another secret, no signature, or one as long in characters but not in bytes: refused, no throw.
    expect(verify(now, body.replace("Riverside", "Riverbank"), secret)).toBe(false);
    expect(verify(now, body, "whsec_someone-else")).toBe(false);
    expect(verify({ ...now, "x-signature-256": undefined }, body, secret)).toBe(false);
    expect(verify({ ...now, "x-signature-256": `sha256=é${"0".repeat(63)}` }, body, secret)).toBe(false);
    // The old scheme, the body alone: refused.
    const bodyOnly = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
    expect(verify({ ...now, "x-signature-256": bodyOnly }, body, secret)).toBe(false);
  });
});
