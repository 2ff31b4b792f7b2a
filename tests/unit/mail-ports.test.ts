import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAIL_PORT_RULE, isMailPortAllowed, mailPortMessage, parseMailPorts } from "@/lib/smtp/mail-ports";
import { loadEnv } from "@/lib/env";

describe("mail ports", () => {
  it("allows 25, 465, 587 and 2525 by default, and nothing else", () => {
    for (const port of [25, 465, 587, 2525]) expect(isMailPortAllowed(DEFAULT_MAIL_PORT_RULE, port)).toBe(true);
    for (const port of [22, 80, 443, 3306, 5432, 6379, 8080, 26, 2526])
      expect(isMailPortAllowed(DEFAULT_MAIL_PORT_RULE, port)).toBe(false);
    expect(mailPortMessage(DEFAULT_MAIL_PORT_RULE)).toBe(
      "Use a mail port: 25, 465, 587 or 2525. Other ports are not allowed here.",
    );
  });

  it("SMTP_ALLOWED_PORTS takes ports and ranges, and refuses anything else", () => {
    const rule = parseMailPorts(" 25, 1025-1030 ,587")!;
    expect(isMailPortAllowed(rule, 1027)).toBe(true);
    expect(isMailPortAllowed(rule, 465)).toBe(false);
    expect(mailPortMessage(rule)).toBe("Use a mail port: 25, 587 or 1025-1030. Other ports are not allowed here.");
    expect(parseMailPorts("")).toEqual(DEFAULT_MAIL_PORT_RULE);
    for (const bad of ["smtp", "0", "70000", "600-500", "25,,587", "25;587"]) expect(parseMailPorts(bad)).toBeNull();
  });

  it("a bad SMTP_ALLOWED_PORTS stops start-up and names the variable", () => {
    expect(() =>
      loadEnv(
        { SMTP_ALLOWED_PORTS: "25,http" } as unknown as NodeJS.ProcessEnv,
        fs.mkdtempSync(path.join(os.tmpdir(), "fes-env-")),
      ),
    ).toThrow(/SMTP_ALLOWED_PORTS must be comma-separated ports/);
  });
});
