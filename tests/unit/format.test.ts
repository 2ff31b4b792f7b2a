import { describe, expect, it } from "vitest";
import { timeAgo } from "@/lib/format";

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
