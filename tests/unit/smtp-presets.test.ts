import { describe, expect, it } from "vitest";
import {
  defaultSecurityForPort,
  getPreset,
  isGooglePreset,
  PRESET_IDS,
  PRESETS,
  presetForAccount,
  securityMismatchWarning,
} from "@/lib/smtp/presets";

const validPort = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;

describe("preset table", () => {
  it("has unique ids, and PRESET_IDS lists them in table order", () => {
    const ids = PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...PRESET_IDS]).toEqual(ids);
  });

  it("contains every required preset", () => {
    for (const id of [
      "google-mail",
      "google-workspace",
      "microsoft-365",
      "outlook-com",
      "yahoo",
      "icloud",
      "zoho",
      "fastmail",
      "amazon-ses",
      "sendgrid",
      "mailgun",
      "postmark",
      "custom",
    ]) {
      expect(getPreset(id), id).toBeDefined();
    }
  });

  it.each(PRESETS.filter((p) => p.id !== "custom").map((p) => [p.id, p] as const))(
    "%s has a host, a valid port and valid alternatives",
    (_id, preset) => {
      expect(preset.host).toMatch(/^[a-z0-9.-]+\.[a-z]{2,}$/);
      expect(validPort(preset.port)).toBe(true);
      expect(["ssl", "starttls"]).toContain(preset.security);
      for (const alt of preset.alternatives) {
        expect(alt.host).toMatch(/^[a-z0-9.-]+\.[a-z]{2,}$/);
        expect(validPort(alt.port)).toBe(true);
        expect(securityMismatchWarning(alt.port, alt.security)).toBeNull();
      }
      expect(securityMismatchWarning(preset.port, preset.security)).toBeNull();
    },
  );

  it.each(PRESETS.map((p) => [p.id, p] as const))(
    "%s has a help slug, hints and a known password kind",
    (_id, preset) => {
      expect(preset.helpSlug).toMatch(/^[a-z0-9-]+$/);
      expect(preset.userHint.length).toBeGreaterThan(0);
      expect(preset.passwordHint.length).toBeGreaterThan(0);
      expect(["app-password", "account-password", "api-key", "smtp-credentials"]).toContain(preset.passwordKind);
    },
  );

  it("names every help slug <id>-smtp, uniquely", () => {
    expect(getPreset("google-mail").helpSlug).toBe("google-mail-smtp");
    for (const p of PRESETS) expect(p.helpSlug).toBe(`${p.id}-smtp`);
    expect(new Set(PRESETS.map((p) => p.helpSlug)).size).toBe(PRESETS.length);
  });

  it("never claims one mailbox domain or MX suffix for two presets, and stores them in lower case", () => {
    const domains = PRESETS.flatMap((p) => p.mailboxDomains);
    const suffixes = PRESETS.flatMap((p) => p.mxSuffixes);
    expect(new Set(domains).size).toBe(domains.length);
    expect(new Set(suffixes).size).toBe(suffixes.length);
    for (const d of [...domains, ...suffixes]) expect(d).toBe(d.toLowerCase().replace(/\.$/, ""));
  });

  it("leaves only the custom preset without a host", () => {
    expect(getPreset("custom").host).toBe("");
    expect(PRESETS.filter((p) => p.host === "").map((p) => p.id)).toEqual(["custom"]);
  });
});

describe("provider facts", () => {
  it("Google Mail: smtp.gmail.com 587 STARTTLS, or 465 SSL/TLS, with a 2-Step Verification app password", () => {
    const gmail = getPreset("google-mail");
    expect(gmail).toMatchObject({
      host: "smtp.gmail.com",
      port: 587,
      security: "starttls",
      passwordKind: "app-password",
    });
    expect(gmail.alternatives).toContainEqual(
      expect.objectContaining({ host: "smtp.gmail.com", port: 465, security: "ssl" }),
    );
    expect(gmail.requirements).toContain("2-Step Verification must be on");
    expect(gmail.mailboxDomains).toEqual(expect.arrayContaining(["gmail.com", "googlemail.com"]));
    expect(gmail.rewritesFrom).toBe(true);
  });

  it("Google Workspace: same server, relay alternative, detected by Google MX", () => {
    const ws = getPreset("google-workspace");
    expect(ws).toMatchObject({ host: "smtp.gmail.com", port: 587, security: "starttls", rewritesFrom: true });
    expect(ws.alternatives.map((a) => a.host)).toContain("smtp-relay.gmail.com");
    expect(ws.mxSuffixes).toEqual(expect.arrayContaining(["google.com", "googlemail.com"]));
    expect(ws.requirements.join(" ")).toMatch(/admin/i);
  });

  it("a Google account is judged by its address: gmail.com and googlemail.com are personal, any other domain is Workspace", () => {
    for (const preset of ["google-mail", "google-workspace"]) {
      expect(presetForAccount(preset, "clinic.accounts@gmail.com"), preset).toBe("google-mail");
      expect(presetForAccount(preset, "Clinic@GoogleMail.com"), preset).toBe("google-mail");
      expect(presetForAccount(preset, "billing@clinic.example"), preset).toBe("google-workspace");
      expect(presetForAccount(preset, "no-address"), preset).toBe(preset);
    }
    expect(presetForAccount("microsoft-365", "someone@gmail.com")).toBe("microsoft-365");
  });

  it("Microsoft 365 and the rest", () => {
    expect(getPreset("microsoft-365")).toMatchObject({ host: "smtp.office365.com", port: 587, security: "starttls" });
    expect(getPreset("microsoft-365").mxSuffixes).toContain("mail.protection.outlook.com");
    expect(getPreset("microsoft-365").requirements.join(" ")).toMatch(/SMTP AUTH/);
    expect(getPreset("outlook-com").mailboxDomains).toEqual(["outlook.com", "hotmail.com", "live.com", "msn.com"]);
    expect(getPreset("yahoo")).toMatchObject({
      host: "smtp.mail.yahoo.com",
      port: 465,
      security: "ssl",
      passwordKind: "app-password",
    });
    expect(getPreset("icloud")).toMatchObject({ host: "smtp.mail.me.com", port: 587, security: "starttls" });
    expect(getPreset("fastmail")).toMatchObject({ host: "smtp.fastmail.com", port: 465, security: "ssl" });
    expect(getPreset("amazon-ses")).toMatchObject({ port: 587, passwordKind: "smtp-credentials" });
    expect(getPreset("amazon-ses").host).toMatch(/^email-smtp\.[a-z0-9-]+\.amazonaws\.com$/);
    expect(getPreset("sendgrid")).toMatchObject({ host: "smtp.sendgrid.net", passwordKind: "api-key" });
    expect(getPreset("sendgrid").userHint).toMatch(/\bapikey\b/);
    expect(getPreset("postmark").requirements.join(" ")).toMatch(/both User and Password/);
  });
});

describe("getPreset / isGooglePreset", () => {
  it("returns undefined for an unknown id", () => {
    expect(getPreset("hotmail")).toBeUndefined();
    expect(getPreset("")).toBeUndefined();
  });
  it("recognises exactly the two Google presets", () => {
    expect(PRESET_IDS.filter(isGooglePreset)).toEqual(["google-mail", "google-workspace"]);
    expect(isGooglePreset("gmail")).toBe(false);
  });
});

describe("defaultSecurityForPort", () => {
  it.each([
    [465, "ssl"],
    [587, "starttls"],
    [25, "starttls"],
    [2525, "starttls"],
    [2587, "starttls"],
    [1, "starttls"],
  ] as const)("port %i → %s", (port, security) => {
    expect(defaultSecurityForPort(port)).toBe(security);
  });
});

describe("securityMismatchWarning", () => {
  it("explains SSL/TLS on 587", () => {
    expect(securityMismatchWarning(587, "ssl")).toBe(
      "Port 587 expects STARTTLS: with SSL/TLS the connection will fail with a TLS error.",
    );
  });
  it("explains STARTTLS on 465", () => {
    expect(securityMismatchWarning(465, "starttls")).toBe(
      "Port 465 expects SSL/TLS from the first byte: with STARTTLS the server will never answer and the test will time out.",
    );
  });
  it.each([25, 2525])("explains SSL/TLS on %i", (port) => {
    expect(securityMismatchWarning(port, "ssl")).toMatch(new RegExp(`^Port ${port} expects STARTTLS`));
  });
  it.each([
    [465, "ssl"],
    [587, "starttls"],
    [25, "starttls"],
    [2525, "starttls"],
    [2465, "ssl"],
    [2465, "starttls"],
  ] as const)("is silent for %i with %s", (port, security) => {
    expect(securityMismatchWarning(port, security)).toBeNull();
  });
});

describe("what each preset expects of the From domain's DNS (the Deliverability card)", () => {
  it("every preset says how SPF is judged, which DKIM selectors to look for (or where to find them), and links its provider's guide", () => {
    for (const preset of PRESETS) {
      const { spf, dkim, guideUrl } = preset.domainAuth;
      expect(guideUrl, preset.id).toMatch(/^https:\/\//);
      if (spf.kind === "include") {
        expect(spf.include, preset.id).toMatch(/^[a-z0-9._-]+\.[a-z]+$/);
        expect(spf.sendingAddress, preset.id).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
      }
      if ("selectors" in dkim) {
        expect(dkim.selectors.length, preset.id).toBeGreaterThan(0);
        for (const s of dkim.selectors) expect(s.name, preset.id).toMatch(/^[a-z0-9-]+$/);
      } else expect(dkim.findSelector.length, preset.id).toBeGreaterThan(30);
    }
    expect(getPreset("google-workspace").domainAuth.spf).toMatchObject({ kind: "include", include: "_spf.google.com" });
    expect(getPreset("google-workspace").domainAuth.dkim).toMatchObject({
      selectors: [{ name: "google", type: "TXT" }],
    });
    expect(getPreset("microsoft-365").domainAuth.spf).toMatchObject({
      kind: "include",
      include: "spf.protection.outlook.com",
    });
    expect(getPreset("microsoft-365").domainAuth.dkim).toMatchObject({
      selectors: [
        { name: "selector1", type: "CNAME" },
        { name: "selector2", type: "CNAME" },
      ],
    });
  });
});
