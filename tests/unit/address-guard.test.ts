import { describe, expect, it } from "vitest";
import { blockedReason, resolveAndCheck } from "@/lib/net/address-guard";

describe("blockedReason", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.255.255.254", /loopback/],
    ["10.1.2.3", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.10", /private/],
    ["169.254.169.254", /link-local/],
    ["100.64.0.1", /carrier-grade/],
    ["100.127.255.255", /carrier-grade/],
    ["0.0.0.0", /unspecified/],
    ["0.1.2.3", /unspecified/],
    ["224.0.0.1", /multicast/],
    ["239.255.255.250", /multicast/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["fe80::1", /link-local/],
    ["fe80::1%eth0", /link-local/],
    ["fc00::1", /unique-local/],
    ["fd12:3456:789a::1", /unique-local/],
    ["ff02::1", /multicast/],
    ["::ffff:127.0.0.1", /loopback/],
    ["::ffff:10.0.0.1", /private/],
    ["::ffff:a9fe:a9fe", /link-local/],
    ["::ffff:192.168.0.1", /private/],
    ["64:ff9b::a00:1", /private/],
    // Not global unicast: documentation, benchmarking, tunnels and other reserved ranges.
    ["192.0.2.10", /documentation/],
    ["198.51.100.7", /documentation/],
    ["203.0.113.200", /documentation/],
    ["192.88.99.1", /6to4/],
    ["2002:c0a8:101::1", /6to4/],
    ["2002:808:808::1", /6to4/],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", /Teredo/],
    ["2001:2::1", /benchmarking/],
    ["2001:db8::25", /documentation/],
    ["3fff:10::1", /documentation/],
    ["fec0::1", /site-local/],
    ["100::1", /discard/],
    ["4000::1", /reserved/],
    ["::ffff:0:127.0.0.1", /loopback/],
    ["::ffff:0:10.1.1.1", /private/],
    ["::ffff:192.0.2.1", /documentation/],
  ])("refuses %s", (address, reason) => {
    expect(blockedReason(address)).toMatch(reason);
  });

  it.each(["8.8.8.8", "142.250.102.108", "172.32.0.1", "100.128.0.1", "172.15.255.255", "2a00:1450:400c:c0a::6c", "::ffff:8.8.8.8", "2001:4860:4860::8888", "2606:4700::6810:84e5", "64:ff9b::808:808"])(
    "allows the public address %s",
    (address) => {
      expect(blockedReason(address)).toBeNull();
    },
  );
});

describe("resolveAndCheck", () => {
  const fakeLookup = (map: Record<string, string[]>) => async (host: string) => {
    const list = map[host];
    if (!list) throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

  it("refuses a name that resolves to a private address, even when another answer is public", async () => {
    const result = await resolveAndCheck("smtp.sneaky.example", {
      allowPrivate: false,
      lookup: fakeLookup({ "smtp.sneaky.example": ["142.250.102.108", "10.0.0.5"] }),
    });
    expect(result).toMatchObject({ ok: false, reason: "blocked", address: "10.0.0.5" });
    if (!result.ok) {
      // Says what kind of address, never which one: the message reaches whoever runs the test.
      expect(result.message).toBe("smtp.sneaky.example points to a private or internal address. For safety this service only connects to public mail servers.");
      expect(result.message).not.toContain("10.0.0.5");
    }
  });

  it("treats localhost as loopback without a DNS query, so it is refused", async () => {
    const result = await resolveAndCheck("localhost", { allowPrivate: false });
    expect(result).toMatchObject({ ok: false, reason: "blocked" });
  });

  it("refuses a literal private IP", async () => {
    expect(await resolveAndCheck("192.168.0.10", { allowPrivate: false })).toMatchObject({ ok: false, reason: "blocked" });
  });

  it("returns the checked addresses, IPv4 first, for a public name", async () => {
    const result = await resolveAndCheck("smtp.gmail.com", {
      allowPrivate: false,
      lookup: fakeLookup({ "smtp.gmail.com": ["2a00:1450:400c:c0a::6c", "142.250.102.108"] }),
    });
    expect(result).toEqual({ ok: true, address: "142.250.102.108", addresses: ["142.250.102.108", "2a00:1450:400c:c0a::6c"] });
  });

  it("allows private addresses only when told to", async () => {
    expect(await resolveAndCheck("localhost", { allowPrivate: true })).toMatchObject({ ok: true });
  });

  it("reports an unknown name as not found", async () => {
    expect(await resolveAndCheck("smtp.nowhere.example", { allowPrivate: false, lookup: fakeLookup({}) })).toMatchObject({
      ok: false,
      reason: "not-found",
    });
  });
});
