import { describe, expect, it } from "vitest";
import { blockedReason, resolveAndCheck } from "@/lib/net/address-guard";
import { itReturns, itReturnsNull } from "../helpers/returns-table";

// The guard's reasons, word for word: they reach logs and the server's own records.
const UNSPECIFIED = "an unspecified address";
const PRIVATE = "a private network address";
const CGNAT = "a carrier-grade NAT address";
const LOOPBACK = "a loopback address (this server itself)";
const LINK_LOCAL_V4 = "a link-local address (including cloud metadata services)";
const LINK_LOCAL_V6 = "a link-local address";
const RESERVED = "a reserved address";
const DOCUMENTATION = "a documentation address";
const RELAY_6TO4 = "a 6to4 relay address";
const BENCHMARKING = "a benchmarking address";
const MULTICAST = "a multicast address";
const UNIQUE_LOCAL = "a unique-local (private) address";
const NAT64_LOCAL = "a private NAT64 address";
const DISCARD = "a discard-only address";
const TEREDO = "a Teredo tunnel address";
const TUNNEL_6TO4 = "a 6to4 tunnel address";
const SITE_LOCAL = "a site-local address";
const NOT_IP = "not an IP address";

describe("blockedReason", () => {
  itReturns("refuses %s as %s", blockedReason, [
    ["127.0.0.1", LOOPBACK],
    ["127.255.255.254", LOOPBACK],
    ["10.1.2.3", PRIVATE],
    ["172.16.0.1", PRIVATE],
    ["172.31.255.255", PRIVATE],
    ["192.168.1.10", PRIVATE],
    ["169.254.169.254", LINK_LOCAL_V4],
    ["100.64.0.1", CGNAT],
    ["100.127.255.255", CGNAT],
    ["0.0.0.0", UNSPECIFIED],
    ["0.1.2.3", UNSPECIFIED],
    ["224.0.0.1", MULTICAST],
    ["239.255.255.250", MULTICAST],
    ["::1", LOOPBACK],
    ["::", UNSPECIFIED],
    ["fe80::1", LINK_LOCAL_V6],
    ["fe80::1%eth0", LINK_LOCAL_V6],
    ["fc00::1", UNIQUE_LOCAL],
    ["fd12:3456:789a::1", UNIQUE_LOCAL],
    ["ff02::1", MULTICAST],
    ["::ffff:127.0.0.1", LOOPBACK],
    ["::ffff:10.0.0.1", PRIVATE],
    ["::ffff:a9fe:a9fe", LINK_LOCAL_V4],
    ["::ffff:192.168.0.1", PRIVATE],
    ["64:ff9b::a00:1", PRIVATE],
    // Not global unicast: documentation, benchmarking, tunnels and other reserved ranges.
    ["192.0.2.10", DOCUMENTATION],
    ["198.51.100.7", DOCUMENTATION],
    ["203.0.113.200", DOCUMENTATION],
    ["192.88.99.1", RELAY_6TO4],
    ["2002:c0a8:101::1", TUNNEL_6TO4],
    ["2002:808:808::1", TUNNEL_6TO4],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", TEREDO],
    ["2001:2::1", BENCHMARKING],
    ["2001:db8::25", DOCUMENTATION],
    ["3fff:10::1", DOCUMENTATION],
    ["fec0::1", SITE_LOCAL],
    ["100::1", DISCARD],
    ["4000::1", RESERVED],
    ["::ffff:0:127.0.0.1", LOOPBACK],
    ["::ffff:0:10.1.1.1", PRIVATE],
    ["::ffff:192.0.2.1", DOCUMENTATION],
    // Every IPv4 range at both ends.
    ["0.255.255.255", UNSPECIFIED],
    ["10.0.0.0", PRIVATE],
    ["10.255.255.255", PRIVATE],
    ["100.64.0.0", CGNAT],
    ["127.0.0.0", LOOPBACK],
    ["127.255.255.255", LOOPBACK],
    ["169.254.0.0", LINK_LOCAL_V4],
    ["169.254.255.255", LINK_LOCAL_V4],
    ["172.16.0.0", PRIVATE],
    ["192.0.0.0", RESERVED],
    ["192.0.0.255", RESERVED],
    ["192.0.2.0", DOCUMENTATION],
    ["192.0.2.255", DOCUMENTATION],
    ["192.88.99.0", RELAY_6TO4],
    ["192.88.99.255", RELAY_6TO4],
    ["192.168.0.0", PRIVATE],
    ["192.168.255.255", PRIVATE],
    ["198.18.0.0", BENCHMARKING],
    ["198.19.255.255", BENCHMARKING],
    ["198.51.100.0", DOCUMENTATION],
    ["198.51.100.255", DOCUMENTATION],
    ["203.0.113.0", DOCUMENTATION],
    ["203.0.113.255", DOCUMENTATION],
    ["224.0.0.0", MULTICAST],
    ["239.255.255.255", MULTICAST],
    ["240.0.0.0", RESERVED],
    ["255.255.255.255", RESERVED], // broadcast
    // IPv6 ranges at both ends, and other spellings of the same address.
    ["0:0:0:0:0:0:0:0", UNSPECIFIED],
    ["0:0:0:0:0:0:0:1", LOOPBACK],
    ["::0:1", LOOPBACK],
    ["fe80::", LINK_LOCAL_V6],
    ["febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LINK_LOCAL_V6],
    ["FE80::1", LINK_LOCAL_V6],
    ["fec0::", SITE_LOCAL],
    ["feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", SITE_LOCAL],
    ["fc00::", UNIQUE_LOCAL],
    ["fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UNIQUE_LOCAL],
    ["ff00::", MULTICAST],
    ["ff0e::1", MULTICAST],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", MULTICAST],
    ["2001:db8::", DOCUMENTATION],
    ["2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", DOCUMENTATION],
    ["3fff::", DOCUMENTATION],
    ["3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", DOCUMENTATION],
    ["2001::", TEREDO],
    ["2001:0:ffff:ffff:ffff:ffff:ffff:ffff", TEREDO],
    ["2001:2::", BENCHMARKING],
    ["2001:2:0:ffff:ffff:ffff:ffff:ffff", BENCHMARKING],
    ["2002::", TUNNEL_6TO4],
    ["2002:a00:1::1", TUNNEL_6TO4], // 6to4 of 10.0.0.1
    ["2002:7f00:1::1", TUNNEL_6TO4], // 6to4 of 127.0.0.1
    ["2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", TUNNEL_6TO4],
    ["100::", DISCARD],
    ["100::ffff:ffff:ffff:ffff", DISCARD],
    ["64:ff9b:1::", NAT64_LOCAL],
    ["64:ff9b:1:ffff:ffff:ffff:ffff:ffff", NAT64_LOCAL],
    // Outside global unicast (2000::/3) and not named above.
    ["1::1", RESERVED],
    ["1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RESERVED],
    ["4000::", RESERVED],
    ["8000::1", RESERVED],
    ["e000::1", RESERVED],
    ["::ffff:1:0:0:1", RESERVED],
    // IPv4 inside IPv6: mapped (::ffff:0:0/96), translated (::ffff:0:0:0/96), compatible (::/96) and NAT64
    // (64:ff9b::/96) are judged by the IPv4 address they carry, dotted or in hex.
    ["::ffff:7f00:1", LOOPBACK],
    ["::FFFF:127.0.0.1", LOOPBACK],
    ["0:0:0:0:0:ffff:7f00:1", LOOPBACK],
    ["::ffff:a00:1", PRIVATE],
    ["::ffff:169.254.169.254", LINK_LOCAL_V4],
    ["::ffff:100.64.0.1", CGNAT],
    ["::ffff:0.0.0.0", UNSPECIFIED],
    ["::ffff:0:0", UNSPECIFIED],
    ["::ffff:224.0.0.1", MULTICAST],
    ["::ffff:255.255.255.255", RESERVED],
    ["::ffff:0:7f00:1", LOOPBACK],
    ["::ffff:0:a9fe:a9fe", LINK_LOCAL_V4],
    ["::127.0.0.1", LOOPBACK],
    ["::7f00:1", LOOPBACK],
    ["::10.0.0.1", PRIVATE],
    ["::a9fe:a9fe", LINK_LOCAL_V4],
    ["::2", UNSPECIFIED], // compatible form of 0.0.0.2
    ["::ffff", UNSPECIFIED], // compatible form of 0.0.255.255
    ["64:ff9b::10.0.0.1", PRIVATE],
    ["64:ff9b::7f00:1", LOOPBACK],
    ["64:ff9b::127.0.0.1", LOOPBACK],
    ["64:ff9b::169.254.169.254", LINK_LOCAL_V4],
    ["64:ff9b::c0a8:1", PRIVATE],
    ["64:ff9b::198.18.0.1", BENCHMARKING],
    ["64:ff9b::", UNSPECIFIED],
    // Not an address in the form the connection would use: a name, or an IPv4 spelling only some resolvers read.
    ["0x7f.1", NOT_IP],
    ["0x7f000001", NOT_IP],
    ["2130706433", NOT_IP],
    ["0177.0.0.1", NOT_IP],
    ["127.000.000.001", NOT_IP],
    ["127.1", NOT_IP],
    ["127.0.1", NOT_IP],
    ["[::1]", NOT_IP],
    ["localhost", NOT_IP],
    ["", NOT_IP],
  ]);

  itReturnsNull("allows the public address %s", blockedReason, [
    "8.8.8.8",
    "142.250.102.108",
    "172.32.0.1",
    "100.128.0.1",
    "172.15.255.255",
    "2a00:1450:400c:c0a::6c",
    "::ffff:8.8.8.8",
    "2001:4860:4860::8888",
    "2606:4700::6810:84e5",
    "64:ff9b::808:808",
  ]);

  // Just outside the refused ranges, and public IPv4 addresses inside IPv6.
  itReturnsNull("allows %s", blockedReason, [
    "1.0.0.0",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "192.0.1.255",
    "192.0.3.0",
    "192.88.98.255",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "198.51.99.255",
    "203.0.112.255",
    "223.255.255.255",
    "2000::1",
    "2001:1::1",
    "2001:db7:ffff::1",
    "2003::1",
    "3ffe::1",
    "3fff:1000::1",
    "2a00:1450:400c:c0a::6C",
    "::ffff:808:808",
    "::ffff:0:8.8.8.8",
    "::8.8.8.8",
    "64:ff9b::1.1.1.1",
  ]);
});

describe("resolveAndCheck", () => {
  const fakeLookup = (map: Record<string, string[]>) => (host: string) => {
    const list = map[host];
    if (!list) return Promise.reject(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }));
    return Promise.resolve(list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
  };

  it("refuses a name that resolves to a private address, even when another answer is public", async () => {
    const result = await resolveAndCheck("smtp.sneaky.example", {
      allowPrivate: false,
      lookup: fakeLookup({ "smtp.sneaky.example": ["142.250.102.108", "10.0.0.5"] }),
    });
    expect(result).toMatchObject({ ok: false, reason: "blocked", address: "10.0.0.5" });
    if (!result.ok) {
      // Says what kind of address, never which one: the message reaches whoever runs the test.
      expect(result.message).toBe(
        "smtp.sneaky.example points to a private or internal address. For safety this service only connects to public mail servers.",
      );
      expect(result.message).not.toContain("10.0.0.5");
    }
  });

  it("treats localhost as loopback without a DNS query, so it is refused", async () => {
    const result = await resolveAndCheck("localhost", { allowPrivate: false });
    expect(result).toMatchObject({ ok: false, reason: "blocked" });
  });

  it("refuses a literal private IP", async () => {
    expect(await resolveAndCheck("192.168.0.10", { allowPrivate: false })).toMatchObject({
      ok: false,
      reason: "blocked",
    });
  });

  it("judges what a name resolves to, not how it is spelled (127.1 or 2130706433 looked up as a name)", async () => {
    const lookup = fakeLookup({ "127.1": ["127.0.0.1"], "2130706433": ["127.0.0.1"], "0x7f.1": ["::ffff:7f00:1"] });
    for (const host of ["127.1", "2130706433", "0x7f.1"]) {
      expect(await resolveAndCheck(host, { allowPrivate: false, lookup }), host).toMatchObject({
        ok: false,
        reason: "blocked",
      });
    }
  });

  it("returns the checked addresses, IPv4 first, for a public name", async () => {
    const result = await resolveAndCheck("smtp.gmail.com", {
      allowPrivate: false,
      lookup: fakeLookup({ "smtp.gmail.com": ["2a00:1450:400c:c0a::6c", "142.250.102.108"] }),
    });
    expect(result).toEqual({
      ok: true,
      address: "142.250.102.108",
      addresses: ["142.250.102.108", "2a00:1450:400c:c0a::6c"],
    });
  });

  it("allows private addresses only when told to", async () => {
    expect(await resolveAndCheck("localhost", { allowPrivate: true })).toMatchObject({ ok: true });
  });

  it("reports an unknown name as not found", async () => {
    expect(
      await resolveAndCheck("smtp.nowhere.example", { allowPrivate: false, lookup: fakeLookup({}) }),
    ).toMatchObject({
      ok: false,
      reason: "not-found",
    });
  });
});
