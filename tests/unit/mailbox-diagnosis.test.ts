import { describe, expect, it } from "vitest";
import { diagnose, mailboxSignInFailed } from "@/lib/smtp/diagnose";
import { oauthProviderForPreset, presetForLinkedMailbox, sendsWithMailboxLink } from "@/lib/smtp/sign-in-providers";

describe("mailboxSignInFailed: a refused renewal, by the provider's reason", () => {
  const of = (code: string, description = "") => mailboxSignInFailed({ providerLabel: "Microsoft", code, description });

  it("expired or revoked sign-ins say so, keep the provider's words, and point at Reconnect", () => {
    for (const [code, description] of [
      [
        "invalid_grant",
        "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.",
      ],
      ["invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity."],
      ["invalid_grant", ""],
    ]) {
      const d = of(code, description);
      expect(d.id).toBe("mailbox-sign-in-expired");
      expect(d.title).toBe("The Microsoft sign-in for this mailbox has expired or was revoked");
      expect(d.explanation).toContain(`Microsoft said: ${code}`);
      if (description) expect(d.explanation).toContain(description.slice(0, 12));
      expect(d.advice[0]).toMatch(/Reconnect/);
      expect(d.helpHref).toBe("/help/troubleshooting#mailbox-sign-in-expired");
    }
  });

  it("consent and unknown-app refusals get their own advice", () => {
    expect(of("invalid_grant", "AADSTS65001: The user or administrator has not consented").id).toBe(
      "mailbox-consent-needed",
    );
    expect(of("invalid_request", "AADSTS90094: The grant requires admin permission.").advice[0]).toMatch(
      /admin consent/,
    );
    expect(
      of("unauthorized_client", "AADSTS700016: Application with identifier 'x' was not found in the directory").id,
    ).toBe("mailbox-app-unknown");
  });
});

describe("which settings send with the linked mailbox", () => {
  const link = { provider: "microsoft", email: "finance@contoso.example" };
  it("only the link's provider presets, on their own servers, and only as the linked mailbox", () => {
    const m365 = { provider: "microsoft-365", host: "smtp.office365.com", user: "finance@contoso.example" };
    expect(sendsWithMailboxLink(link, { ...m365, user: "Finance@Contoso.example " })).toBe(true);
    expect(
      sendsWithMailboxLink(link, {
        provider: "outlook-com",
        host: "smtp-mail.outlook.com",
        user: "finance@contoso.example",
      }),
    ).toBe(true);
    expect(sendsWithMailboxLink(link, { ...m365, provider: "custom" })).toBe(false);
    expect(sendsWithMailboxLink(link, { ...m365, user: "other@contoso.example" })).toBe(false);
    // The token never goes to a server the admin typed.
    expect(sendsWithMailboxLink(link, { ...m365, host: "smtp.attacker.example" })).toBe(false);
    expect(sendsWithMailboxLink(null, m365)).toBe(false);
  });

  it("presets: which provider a preset offers, and the preset a linked mailbox is saved with", () => {
    expect(
      ["microsoft-365", "outlook-com", "google-mail", "google-workspace", "yahoo"].map(oauthProviderForPreset),
    ).toEqual(["microsoft", "microsoft", "google", "google", null]);
    expect(presetForLinkedMailbox("microsoft", "finance@contoso.example")).toBe("microsoft-365");
    expect(presetForLinkedMailbox("microsoft", "clinic@outlook.com")).toBe("outlook-com");
    expect(presetForLinkedMailbox("google", "clinic@gmail.com")).toBe("google-mail");
    expect(presetForLinkedMailbox("google", "billing@clinic.example")).toBe("google-workspace");
  });
});

describe("diagnose: Microsoft's replies to a linked mailbox", () => {
  const ctx = {
    host: "smtp.office365.com",
    port: 587,
    security: "starttls" as const,
    provider: "microsoft-365",
    user: "finance@contoso.example",
  };

  it("5.7.60 SendAsDenied says the From address needs Send As permission", () => {
    const d = diagnose(
      {
        responseCode: 550,
        response: "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
        command: "MAIL FROM",
      },
      ctx,
    );
    expect(d.id).toBe("send-as-denied");
    expect(d.advice.join(" ")).toContain("Send As permission");
  });

  it("535 5.7.3 after XOAUTH2 is a rejected sign-in (Reconnect); after a password it stays a password problem", () => {
    const err = {
      code: "EAUTH",
      responseCode: 535,
      response: "535 5.7.3 Authentication unsuccessful",
      command: "AUTH XOAUTH2",
    };
    expect(diagnose(err, { ...ctx, signedIn: true }).id).toBe("mailbox-token-rejected");
    expect(diagnose(err, ctx).id).toBe("bad-credentials");
  });

  it("5.7.139 names the PowerShell line a tenant administrator runs", () => {
    const d = diagnose(
      {
        responseCode: 535,
        response: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
      },
      { ...ctx, signedIn: true },
    );
    expect(d.id).toBe("microsoft-smtp-auth-disabled");
    expect(d.advice[0]).toContain("Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false");
  });
});
