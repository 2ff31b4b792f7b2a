import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { helpGuides } from "@/lib/help/guides";
import { TROUBLESHOOTING } from "@/lib/help/troubleshooting";
import { DIAGNOSIS_IDS } from "@/lib/smtp/diagnose";
import { PRESETS } from "@/lib/smtp/presets";

const helpDir = path.resolve(__dirname, "../../app/help");

describe("help guides and the presets table", () => {
  it("lists a guide for every preset, and every provider guide belongs to a preset", () => {
    const guideHrefs = helpGuides().map((g) => g.href);
    for (const preset of PRESETS) expect(guideHrefs).toContain(`/help/${preset.helpSlug}`);
    // Besides the provider guides: troubleshooting, alerts, and the operators' guide to the sign-in apps.
    const providerGuides = guideHrefs.filter(
      (h) => !["/help/troubleshooting", "/help/alerts", "/help/operators/oauth-apps"].includes(h),
    );
    expect(providerGuides.sort()).toEqual(PRESETS.map((p) => `/help/${p.helpSlug}`).sort());
  });

  it("has no hand-written guide page without a preset (static pages under app/help)", () => {
    const staticPages = fs
      .readdirSync(helpDir, { withFileTypes: true })
      .filter(
        (d) =>
          d.isDirectory() &&
          !d.name.startsWith("_") &&
          !d.name.startsWith("[") &&
          fs.existsSync(path.join(helpDir, d.name, "page.tsx")),
      )
      .map((d) => d.name);
    const slugs = new Set(PRESETS.map((p) => p.helpSlug));
    for (const page of staticPages)
      expect(page === "troubleshooting" || page === "alerts" || slugs.has(page), `app/help/${page}`).toBe(true);
    // app/help/operators holds the operators' guides (no page of its own), each listed in the guides.
    const operatorPages = fs.readdirSync(path.join(helpDir, "operators"));
    expect(
      operatorPages.map((p) => `/help/operators/${p}`).every((href) => helpGuides().some((g) => g.href === href)),
    ).toBe(true);
  });

  it("has a troubleshooting section for every diagnosis the test-send can give", () => {
    expect(Object.keys(TROUBLESHOOTING).sort()).toEqual([...DIAGNOSIS_IDS].sort());
    for (const id of DIAGNOSIS_IDS) {
      expect(TROUBLESHOOTING[id].title.length).toBeGreaterThan(5);
      expect(TROUBLESHOOTING[id].steps.length).toBeGreaterThan(0);
    }
  });
});
