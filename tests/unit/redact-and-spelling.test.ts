import { describe, expect, it } from "vitest";
import { fromRewriteNote, hostNotFound, spellingSuggestion } from "@/lib/smtp/diagnose";
import { redactReply } from "@/lib/smtp/redact";

describe("redactReply", () => {
  it("removes the password and its base64 form, and AUTH payloads", () => {
    const password = "qwhzktrmvbnxplsd";
    const plain = Buffer.from(`\u0000finance@clinic.example\u0000${password}`).toString("base64");
    const reply = `535 5.7.8 rejected ${password} ${Buffer.from(password).toString("base64")} AUTH PLAIN ${plain}`;
    const out = redactReply(reply, [password]);
    expect(out).not.toContain(password);
    expect(out).not.toContain(Buffer.from(password).toString("base64"));
    expect(out).not.toContain(plain);
    expect(out).toContain("535 5.7.8 rejected [redacted]");
  });

  it("keeps ordinary replies, URLs and host names readable", () => {
    const reply =
      "535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials d9443c01a7336-2a0f3c6b1f0sm1234567pjb.12 - gsmtp";
    expect(redactReply(reply)).toBe(reply);
  });
});

describe("spelling hints", () => {
  it.each([
    ["smtp.gmial.com", "smtp.gmail.com"],
    ["smtp.gmail.co", "smtp.gmail.com"],
    ["smtp.office356.com", "smtp.office365.com"],
    ["smtp-mail.outlok.com", "smtp-mail.outlook.com"],
  ])("%s → %s", (typo, right) => {
    expect(spellingSuggestion(typo)).toBe(right);
    const d = hostNotFound(typo);
    expect(d.fix).toEqual({ field: "host", value: right, label: `Use ${right}` });
  });

  it("does not suggest for a correct or unrelated name", () => {
    expect(spellingSuggestion("smtp.gmail.com")).toBeNull();
    expect(spellingSuggestion("mail.riverside-physio.example")).toBeNull();
  });
});

describe("From rewriting note", () => {
  it("warns when Gmail will replace another From address", () => {
    expect(fromRewriteNote("google-mail", "me@gmail.com", "billing@clinic.example")).toMatch(
      /will show me@gmail.com as the sender/,
    );
  });
  it("is silent when the From is the account itself, or the provider does not rewrite", () => {
    expect(fromRewriteNote("google-mail", "me@gmail.com", "ME@gmail.com")).toBeNull();
    expect(fromRewriteNote("custom", "me@clinic.example", "billing@clinic.example")).toBeNull();
  });
});

describe("redactReply keeps long words", () => {
  it("does not hide Microsoft's SmtpClientAuthentication", () => {
    const reply = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.";
    expect(redactReply(reply)).toBe(reply);
  });
});
