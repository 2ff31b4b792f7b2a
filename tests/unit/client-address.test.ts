import { describe, expect, it } from "vitest";
import {
  addressBlock,
  clientAddress,
  clientAddressFrom,
  normaliseAddress,
  parseTrustedProxyHops,
} from "@/lib/client-address.mjs";

describe("clientAddress (server.mjs, before Next.js sees the request)", () => {
  it("with 0 trusted hops, the socket's peer is the client and X-Forwarded-For is ignored", () => {
    expect(clientAddress({ forwardedFor: "198.51.100.7", peer: "203.0.113.9", hops: 0 })).toBe("203.0.113.9");
    expect(clientAddress({ forwardedFor: undefined, peer: "203.0.113.9", hops: 0 })).toBe("203.0.113.9");
  });

  it("with N trusted hops, the client is the Nth address from the right of (X-Forwarded-For, peer)", () => {
    // client 198.51.100.7 → CDN adds it → load balancer 10.0.0.2 adds the CDN's 192.0.2.1 → app sees peer 10.0.0.2
    const forwardedFor = "6.6.6.6, 198.51.100.7, 192.0.2.1";
    expect(clientAddress({ forwardedFor, peer: "10.0.0.2", hops: 1 })).toBe("192.0.2.1");
    expect(clientAddress({ forwardedFor, peer: "10.0.0.2", hops: 2 })).toBe("198.51.100.7");
    // A client's own made-up entry on the left is never reached unless more hops are trusted than exist.
    expect(clientAddress({ forwardedFor: "6.6.6.6, 198.51.100.7", peer: "10.0.0.2", hops: 1 })).toBe("198.51.100.7");
  });

  it("with fewer entries than hops, the leftmost one is used; with nothing at all, null", () => {
    expect(clientAddress({ forwardedFor: "198.51.100.7", peer: "10.0.0.2", hops: 5 })).toBe("198.51.100.7");
    expect(clientAddress({ forwardedFor: undefined, peer: undefined, hops: 0 })).toBeNull();
  });

  it("joins repeated headers, skips empty entries, unwraps IPv4-mapped peers and caps the length", () => {
    expect(clientAddress({ forwardedFor: ["198.51.100.7", " , 192.0.2.1"], peer: "10.0.0.2", hops: 2 })).toBe(
      "198.51.100.7",
    );
    expect(clientAddress({ forwardedFor: undefined, peer: "::ffff:192.0.2.33", hops: 0 })).toBe("192.0.2.33");
    expect(clientAddress({ forwardedFor: undefined, peer: "::1", hops: 0 })).toBe("::1");
    expect(clientAddress({ forwardedFor: "a".repeat(500), peer: "10.0.0.2", hops: 1 })).toHaveLength(64);
  });
});

describe("normaliseAddress and addressBlock (what the sign-in throttle counts)", () => {
  it("drops a port, brackets and a zone, and reads an IPv4-mapped IPv6 address as the IPv4 address", () => {
    for (const [given, address] of [
      ["203.0.113.7:51234", "203.0.113.7"],
      ["203.0.113.7", "203.0.113.7"],
      ["[2001:db8::1]:443", "2001:db8::1"],
      ["[2001:DB8:0:0::1]", "2001:db8::1"],
      ["2001:0db8:0000:0001:abcd:0:0:1", "2001:db8:0:1:abcd::1"],
      ["fe80::1%eth0", "fe80::1"],
      ["::ffff:192.0.2.1", "192.0.2.1"],
      ["::ffff:c000:201", "192.0.2.1"],
      ["[::ffff:192.0.2.1]:8080", "192.0.2.1"],
      ["::1", "::1"],
      ["unknown", "unknown"],
      ["1::2::3", "1::2::3"],
      ["300.1.1.1:80", "300.1.1.1:80"],
    ])
      expect(normaliseAddress(given), given).toBe(address);
  });

  it("counts an IPv6 address by its /64 and an IPv4 address by itself", () => {
    expect(addressBlock("2001:db8:7:9:1:2:3:4")).toBe("2001:db8:7:9::/64");
    expect(addressBlock("[2001:db8:7:9::abcd]:443")).toBe("2001:db8:7:9::/64");
    expect(addressBlock("2001:db8:7:a::1")).toBe("2001:db8:7:a::/64");
    expect(addressBlock("2001:db8::1")).toBe("2001:db8::/64");
    expect(addressBlock("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressBlock("203.0.113.7:51234")).toBe("203.0.113.7");
    expect(addressBlock(null)).toBeNull();
  });
});

describe("parseTrustedProxyHops", () => {
  it("defaults to 0 and accepts whole numbers up to 10", () => {
    expect(parseTrustedProxyHops(undefined)).toBe(0);
    expect(parseTrustedProxyHops(" ")).toBe(0);
    expect(parseTrustedProxyHops("2")).toBe(2);
    expect(parseTrustedProxyHops("10")).toBe(10);
  });

  it("refuses anything else", () => {
    for (const bad of ["-1", "1.5", "one", "11", "0x1", "true"]) expect(parseTrustedProxyHops(bad), bad).toBeNull();
  });
});

describe("clientAddressFrom (the app's side)", () => {
  it("takes the one address server.mjs left, or the rightmost entry when the header arrived as is", () => {
    expect(clientAddressFrom(new Headers({ "x-forwarded-for": "203.0.113.7" }))).toBe("203.0.113.7");
    expect(clientAddressFrom(new Headers({ "x-forwarded-for": "1.1.1.1, 10.0.0.5,  203.0.113.7 " }))).toBe(
      "203.0.113.7",
    );
    expect(clientAddressFrom(new Headers({ "x-forwarded-for": "198.51.100.1, ," }))).toBe("198.51.100.1");
  });

  it("drops the port some gateways write, so each connection is not a new address", () => {
    expect(clientAddress({ forwardedFor: "203.0.113.7:51234", peer: "10.0.0.2", hops: 1 })).toBe("203.0.113.7");
    expect(clientAddress({ forwardedFor: "[2001:db8::7]:51234", peer: "10.0.0.2", hops: 1 })).toBe("2001:db8::7");
    expect(clientAddressFrom(new Headers({ "x-forwarded-for": "203.0.113.7:51235" }))).toBe("203.0.113.7");
  });

  it("returns null without the header, and never trusts X-Real-IP", () => {
    expect(clientAddressFrom(new Headers())).toBeNull();
    expect(clientAddressFrom(new Headers({ "x-real-ip": "198.51.100.9" }))).toBeNull();
  });
});
