import { describe, expect, it } from "vitest";
import { parseSystemMail } from "@/lib/system-mail";

describe("parseSystemMail (SYSTEM_MAIL_URL, SYSTEM_MAIL_FROM)", () => {
  it("is off when neither is set", () => {
    expect(parseSystemMail(undefined, undefined)).toEqual({ config: null, problems: [] });
  });

  it("reads smtps:// as SSL/TLS on 465 and smtp:// as STARTTLS on 587, with percent-encoded credentials", () => {
    expect(
      parseSystemMail("smtps://alerts%40ops.example:p%40ss%2Fword@smtp.ops.example", "alerts@ops.example"),
    ).toEqual({
      config: {
        host: "smtp.ops.example",
        port: 465,
        security: "ssl",
        user: "alerts@ops.example",
        password: "p@ss/word",
        from: "alerts@ops.example",
      },
      problems: [],
    });
    expect(parseSystemMail("smtp://relay:secret@10.0.0.25:2525", "alerts@ops.example").config).toMatchObject({
      host: "10.0.0.25",
      port: 2525,
      security: "starttls",
    });
  });

  it("names each problem without repeating the URL (it holds a password)", () => {
    const cases: [string | undefined, string | undefined, string][] = [
      [
        "https://user:pw@smtp.example",
        "a@b.example",
        "SYSTEM_MAIL_URL must start with smtp:// (STARTTLS) or smtps:// (SSL/TLS)",
      ],
      [
        "smtps://smtp.example",
        "a@b.example",
        "SYSTEM_MAIL_URL must include the user and password: smtps://user:password@host",
      ],
      [
        "smtps://user:topsecret@smtp.example",
        "",
        "SYSTEM_MAIL_FROM must be the address system mail is sent from, like alerts@example.com",
      ],
      [
        "not a url topsecret",
        "a@b.example",
        "SYSTEM_MAIL_URL must be a URL like smtps://user:password@smtp.example.com (percent-encode special characters)",
      ],
      [undefined, "a@b.example", "SYSTEM_MAIL_FROM is set but SYSTEM_MAIL_URL is not"],
    ];
    for (const [url, from, problem] of cases) {
      const result = parseSystemMail(url, from);
      expect(result.config).toBeNull();
      expect(result.problems).toContain(problem);
      expect(result.problems.join(" ")).not.toContain("topsecret");
    }
  });
});
