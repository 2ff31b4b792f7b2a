import { describe, expect, it, vi } from "vitest";
import { detectByDomain, detectProvider, type MxRecord, type MxResolver } from "@/lib/smtp/detect";
import { itReturns, itReturnsNull } from "../helpers/returns-table";

const mx = (...exchanges: string[]): MxResolver =>
  vi.fn(() => Promise.resolve(exchanges.map((exchange, i) => ({ exchange, priority: (i + 1) * 10 }))));
const never: MxResolver = () => {
  throw new Error("the resolver must not be called");
};

describe("detectByDomain", () => {
  itReturns("%s → %s", detectByDomain, [
    ["ana@gmail.com", "google-mail"],
    ["Ana@GoogleMail.com", "google-mail"],
    ["  ana@gmail.com  ", "google-mail"],
    ["ana@hotmail.com", "outlook-com"],
    ["ana@live.com", "outlook-com"],
    ["ana@msn.com", "outlook-com"],
    ["ana@outlook.com", "outlook-com"],
    ["ana@yahoo.com", "yahoo"],
    ["ana@ymail.com", "yahoo"],
    ["ana@me.com", "icloud"],
    ["ana@mac.com", "icloud"],
    ["ana@icloud.com", "icloud"],
    ["ana@zohomail.com", "zoho"],
    ["ana@fastmail.fm", "fastmail"],
  ]);

  itReturnsNull("%j → null", detectByDomain, [
    "ana@acme.com",
    "ana@mail.gmail.com",
    "ana@gmail.co",
    "gmail.com",
    "@gmail.com",
    "ana@",
    "ana@@gmail.com",
    "a b@gmail.com",
    "",
  ]);
});

describe("detectProvider", () => {
  it("answers from the domain table without a DNS lookup", async () => {
    await expect(detectProvider("ana@gmail.com", { resolveMx: never })).resolves.toEqual({
      presetId: "google-mail",
      reason: "domain",
    });
  });

  it("detects Google Workspace from Google MX records (case and trailing dot ignored)", async () => {
    const resolveMx = mx("ASPMX.L.GOOGLE.COM.", "alt1.aspmx.l.google.com");
    await expect(detectProvider("ana@acme.com", { resolveMx })).resolves.toEqual({
      presetId: "google-workspace",
      reason: "mx",
    });
    expect(resolveMx).toHaveBeenCalledWith("acme.com");
  });

  it("detects Google Workspace from googlemail.com MX records", async () => {
    await expect(detectProvider("ana@acme.org", { resolveMx: mx("aspmx2.googlemail.com") })).resolves.toEqual({
      presetId: "google-workspace",
      reason: "mx",
    });
  });

  it("detects Microsoft 365 from mail.protection.outlook.com", async () => {
    await expect(
      detectProvider("Ana@Contoso.com", { resolveMx: mx("contoso-com.mail.protection.outlook.com") }),
    ).resolves.toEqual({
      presetId: "microsoft-365",
      reason: "mx",
    });
  });

  it("lets the most preferred MX decide", async () => {
    const records: MxRecord[] = [
      { exchange: "aspmx.l.google.com", priority: 20 },
      { exchange: "acme-com.mail.protection.outlook.com", priority: 5 },
    ];
    await expect(detectProvider("ana@acme.com", { resolveMx: () => Promise.resolve(records) })).resolves.toEqual({
      presetId: "microsoft-365",
      reason: "mx",
    });
  });

  it("does not match a look-alike that merely ends in the same letters", async () => {
    await expect(
      detectProvider("ana@acme.com", { resolveMx: mx("mx.notgoogle.com", "google.com.evil.example") }),
    ).resolves.toBeNull();
  });

  it("returns null for an unknown mail host or no records", async () => {
    await expect(detectProvider("ana@acme.com", { resolveMx: mx("mx1.acme-mail.net") })).resolves.toBeNull();
    await expect(detectProvider("ana@acme.com", { resolveMx: mx() })).resolves.toBeNull();
  });

  it("returns null when the resolver rejects or throws", async () => {
    await expect(
      detectProvider("ana@acme.com", { resolveMx: async () => Promise.reject(new Error("ENOTFOUND")) }),
    ).resolves.toBeNull();
    const throwsSync: MxResolver = () => {
      throw new Error("boom");
    };
    await expect(detectProvider("ana@acme.com", { resolveMx: throwsSync })).resolves.toBeNull();
  });

  it("gives up on a resolver that never answers, within the timeout", async () => {
    const hanging: MxResolver = () => new Promise<MxRecord[]>(() => {});
    const started = Date.now();
    await expect(detectProvider("ana@acme.com", { resolveMx: hanging, timeoutMs: 50 })).resolves.toBeNull();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(1000);
  });

  it("uses a default timeout of 1500 ms", async () => {
    vi.useFakeTimers();
    try {
      const hanging: MxResolver = () => new Promise<MxRecord[]>(() => {});
      let settled = false;
      const result = detectProvider("ana@acme.com", { resolveMx: hanging }).then((r) => {
        settled = true;
        return r;
      });
      await vi.advanceTimersByTimeAsync(1400);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      expect(settled).toBe(true);
      await expect(result).resolves.toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it.each(["", "not an email", "ana@", "ana@localhost", "ana@-acme.com", "ana@acme..com", "a@b@acme.com"])(
    "rejects %j without a lookup",
    async (email) => {
      await expect(detectProvider(email, { resolveMx: never })).resolves.toBeNull();
    },
  );
});
