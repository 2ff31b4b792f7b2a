// The watch's pure rules: each organisation's fixed offset spreads checks over the period, an account is due once
// per period (or 2 minutes after a save), which alert a status calls for, and where "Fix it" goes.
import { describe, expect, it } from "vitest";
import { alertDue, retryDelayMs } from "@/lib/watch/alert-outbox";
import { fixTarget } from "@/lib/watch/fix-target";
import { jobIdFor } from "@/lib/watch/queue";
import { currentSlot, dueChecks, orgOffsetMs } from "@/lib/watch/schedule";
import { DIAGNOSIS_IDS } from "@/lib/smtp/diagnose";

const SIX_HOURS = 6 * 3_600_000;
const T = new Date("2030-01-01T12:00:00Z");

describe("the schedule", () => {
  it("gives each organisation a fixed offset, spread evenly over the interval", () => {
    expect(orgOffsetMs("org_a", SIX_HOURS)).toBe(orgOffsetMs("org_a", SIX_HOURS));
    const hours = Array.from({ length: 6 }, () => 0);
    for (let i = 0; i < 6000; i++) hours[Math.floor(orgOffsetMs(`org_${i}`, SIX_HOURS) / 3_600_000)]++;
    // 1,000 expected per hour of the period; within 10 %.
    for (const n of hours) expect(Math.abs(n - 1000)).toBeLessThan(100);
  });

  it("an account is due once per period, from its slot, and not again until the next", () => {
    const account = {
      orgId: "org_a",
      host: "smtp.gmail.com",
      lastCheckAt: null as Date | null,
      checkDueAt: null,
      version: 1,
    };
    const slot = currentSlot("org_a", SIX_HOURS, T);
    expect(slot.at.getTime()).toBeLessThanOrEqual(T.getTime());
    expect(T.getTime() - slot.at.getTime()).toBeLessThan(SIX_HOURS);
    const [due] = dueChecks([account], SIX_HOURS, T);
    expect(due).toEqual({ orgId: "org_a", host: "smtp.gmail.com", key: `org_a:${slot.period}`, startAfter: slot.at });
    // Checked at its slot: not due again in this period, due again at the next slot.
    account.lastCheckAt = slot.at;
    expect(dueChecks([account], SIX_HOURS, new Date(slot.at.getTime() + SIX_HOURS - 1))).toEqual([]);
    expect(dueChecks([account], SIX_HOURS, new Date(slot.at.getTime() + SIX_HOURS))[0].key).toBe(
      `org_a:${slot.period + 1}`,
    );
    // Checked late, 10 minutes before its next slot (a backlog, or a new account): not again at that slot.
    account.lastCheckAt = new Date(slot.at.getTime() + SIX_HOURS - 10 * 60_000);
    expect(dueChecks([account], SIX_HOURS, new Date(slot.at.getTime() + SIX_HOURS + 60_000))).toEqual([]);
    expect(dueChecks([account], SIX_HOURS, new Date(slot.at.getTime() + 2 * SIX_HOURS))).toHaveLength(1);
  });

  it("after a save the account is due 2 minutes later, under its own key, and the period's check waits for it", () => {
    const dueAt = new Date(T.getTime() + 120_000);
    const account = { orgId: "org_a", host: "h", lastCheckAt: null, checkDueAt: dueAt, version: 7 };
    expect(dueChecks([account], SIX_HOURS, T)).toEqual([]);
    expect(dueChecks([account], SIX_HOURS, T, 60_000)).toEqual([]);
    expect(dueChecks([account], SIX_HOURS, new Date(T.getTime() + 60_000), 60_000)).toEqual([
      { orgId: "org_a", host: "h", key: "org_a:save:7", startAfter: dueAt },
    ]);
    expect(dueChecks([account], SIX_HOURS, dueAt)[0].key).toBe("org_a:save:7");
  });

  it("the same singleton key always gives the same job id, a valid UUID; another key another id", () => {
    expect(jobIdFor("org_a:42")).toBe(jobIdFor("org_a:42"));
    expect(jobIdFor("org_a:42")).not.toBe(jobIdFor("org_a:43"));
    expect(jobIdFor("org_a:42")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("job ids do not change between releases: instances of two versions must still collide on the same key", () => {
    expect(jobIdFor("org_a:42")).toBe("13a0ae3a-bdc8-5346-aa85-884e291bcb30");
  });
});

describe("alerts", () => {
  const at = (h: number) => new Date(T.getTime() + h * 3_600_000);
  const worked = at(-48);
  it("failing once per episode, reminders at the organisation's interval, recovery once", () => {
    expect(
      alertDue(
        { status: "FAILING", failingSince: T, alertOpenSince: null, lastAlertAt: null, workedAt: worked },
        24,
        T,
      ),
    ).toBe("account.failing");
    const open = { status: "FAILING", failingSince: T, alertOpenSince: T, lastAlertAt: T, workedAt: worked };
    expect(alertDue(open, 24, at(23.9))).toBeNull();
    expect(alertDue(open, 24, at(24))).toBe("account.reminder");
    expect(alertDue(open, 72, at(48))).toBeNull();
    expect(alertDue(open, 0, at(1000))).toBeNull();
    expect(alertDue({ ...open, status: "WORKING" }, 24, at(1))).toBe("account.recovered");
    expect(alertDue({ ...open, status: "UNTESTED" }, 24, at(1))).toBeNull();
    expect(
      alertDue(
        { status: "WORKING", failingSince: null, alertOpenSince: null, lastAlertAt: at(-5), workedAt: T },
        24,
        T,
      ),
    ).toBeNull();
  });

  it("an account that never worked is being set up: no alert and no reminders while it fails", () => {
    const settingUp = { status: "FAILING", failingSince: T, alertOpenSince: null, lastAlertAt: null, workedAt: null };
    expect(alertDue(settingUp, 24, T)).toBeNull();
    expect(alertDue(settingUp, 24, at(100))).toBeNull();
    expect(alertDue({ ...settingUp, status: "WORKING", workedAt: at(1) }, 24, at(1))).toBeNull();
  });

  it("retries back off from a minute to at most an hour", () => {
    expect([1, 2, 3, 4, 7, 20].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000]);
  });

  it("'Fix it' goes to the password for a refused password, to Reconnect for a sign-in or Microsoft's switched-off SMTP AUTH, to the server for network trouble", () => {
    expect(fixTarget("bad-credentials")).toEqual({
      href: "/settings/email#field-password",
      label: "Enter a new password",
    });
    expect(fixTarget("google-app-password-required").href).toBe("/settings/email#field-password");
    expect(fixTarget("microsoft-smtp-auth-disabled")).toEqual({
      href: "/settings/email#mailbox-sign-in",
      label: "Reconnect the mailbox",
    });
    expect(fixTarget("mailbox-sign-in-expired").href).toBe("/settings/email#mailbox-sign-in");
    expect(fixTarget("timeout").href).toBe("/settings/email#field-host");
    // The provider's own server out of reach is on the app's side: nothing to fix, so the button says what it means.
    expect(fixTarget("provider-unreachable")).toEqual({
      href: "/help/troubleshooting#provider-unreachable",
      label: "what happens next",
      button: "What this means",
    });
    for (const id of DIAGNOSIS_IDS.filter((d) => d !== "provider-unreachable"))
      expect(fixTarget(id).href).toMatch(/^\/settings\/email(#[\w-]+)?$/);
    expect(fixTarget(null)).toEqual({ href: "/settings/email", label: "Open the settings" });
  });
});
