import { describe, expect, it } from "vitest";
import { canonicalTimeZone, dayIn, formatDateTime, timeAgo, timestamp, TIME_ZONES } from "@/lib/format";

describe("formatDateTime", () => {
  const winter = new Date("2026-12-03T15:05:00Z");
  const summer = new Date("2026-07-03T15:05:00Z");

  it("shows the moment in the given zone, with the zone's abbreviation or offset", () => {
    expect(formatDateTime(winter, "UTC")).toBe("3 Dec 2026, 15:05 UTC");
    expect(formatDateTime(winter, "Europe/Berlin")).toBe("3 Dec 2026, 16:05 CET");
    expect(formatDateTime(summer, "Europe/Berlin")).toBe("3 Jul 2026, 17:05 CEST");
    expect(formatDateTime(winter, "America/New_York")).toBe("3 Dec 2026, 10:05 GMT-5");
    expect(formatDateTime(winter, "Asia/Kolkata")).toBe("3 Dec 2026, 20:35 GMT+5:30");
  });

  it("moves to the zone's date across midnight", () => {
    expect(formatDateTime(winter, "Pacific/Auckland")).toBe("4 Dec 2026, 04:05 GMT+13");
    expect(dayIn(winter, "Pacific/Auckland")).toBe("2026-12-04");
    expect(dayIn(winter, "UTC")).toBe("2026-12-03");
  });

  it.each(["", "Mars/Olympus_Mons", "+05:00", "Europe/Berlin; DROP TABLE"])(
    "shows UTC for a zone it does not accept (%j)",
    (zone) => {
      expect(formatDateTime(winter, zone)).toBe("3 Dec 2026, 15:05 UTC");
      expect(dayIn(new Date("2026-12-03T23:30:00Z"), zone)).toBe("2026-12-03");
    },
  );

  it("gives a page the ISO instant, the zone's text and UTC for the tooltip", () => {
    expect(timestamp(winter, "Europe/Berlin")).toEqual({
      iso: "2026-12-03T15:05:00.000Z",
      text: "3 Dec 2026, 16:05 CET",
      utc: "3 Dec 2026, 15:05 UTC",
    });
  });
});

describe("canonicalTimeZone", () => {
  it("accepts the list's zones and UTC, by any of their names", () => {
    expect(TIME_ZONES[0]).toBe("UTC");
    expect(TIME_ZONES).toContain("Europe/Berlin");
    expect(canonicalTimeZone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("Etc/UTC")).toBe("UTC");
    expect(TIME_ZONES).toContain(canonicalTimeZone("Asia/Kolkata"));
  });
  it.each([undefined, null, "", "Mars/Olympus_Mons", "+05:00", "Etc/GMT+5"])("refuses %j", (zone) => {
    expect(canonicalTimeZone(zone)).toBeNull();
  });
});

describe("timeAgo", () => {
  const now = new Date("2030-01-01T12:00:00Z");
  const ago = (ms: number) => timeAgo(new Date(now.getTime() - ms), now);
  it("says how long ago in the largest whole unit", () => {
    expect(ago(30_000)).toBe("just now");
    expect(ago(60_000)).toBe("1 minute ago");
    expect(ago(59 * 60_000)).toBe("59 minutes ago");
    expect(ago(2 * 3_600_000 + 5 * 60_000)).toBe("2 hours ago");
    expect(ago(47 * 3_600_000)).toBe("47 hours ago");
    expect(ago(3 * 86_400_000)).toBe("3 days ago");
  });
});
