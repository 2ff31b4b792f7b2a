import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  EMAIL_SETTINGS_FIELD_LABELS,
  EMAIL_SETTINGS_FIELD_NAMES,
  emailSettingsSchema,
  FROM_NEEDED_MESSAGE,
  splitHostPort,
} from "@/lib/mailbox/schema";
import { itReturns, itReturnsNull } from "../helpers/returns-table";

// What FormData gives the server action: strings only.
const valid = {
  provider: "custom",
  host: "smtp.example.com",
  port: "587",
  security: "starttls",
  user: "billing@example.com",
  password: "s3cret pass",
  fromName: "Acme Finance",
  fromAddress: "billing@example.com",
  replyTo: "accounts@example.com",
  version: "3",
};
type Form = Record<string, string>;
const GOOGLE_MESSAGE =
  "Google requires an app password here, not your Google account password: 16 letters, shown as four groups of four.";

function parse(overrides: Form = {}) {
  return emailSettingsSchema.safeParse({ ...valid, ...overrides });
}

function errorsOf(input: unknown) {
  const result = emailSettingsSchema.safeParse(input);
  expect(result.success).toBe(false);
  return z.flattenError(result.error!);
}

/** The field errors for one changed value, asserting no other field complains. */
function fieldErrors(field: string, value: string, base: Form = valid): string[] {
  const { fieldErrors, formErrors } = errorsOf({ ...base, [field]: value });
  expect(formErrors).toEqual([]);
  expect(Object.keys(fieldErrors)).toEqual([field]);
  return (fieldErrors as Record<string, string[]>)[field];
}

describe("emailSettingsSchema: good input", () => {
  it("parses form strings into typed values", () => {
    const r = parse();
    expect(r.success).toBe(true);
    // The same values as the form, with the two numbers as numbers.
    expect(r.data).toEqual({ ...valid, port: 587, version: 3 });
  });

  it("trims, lower-cases the server and treats blanks as 'not given'", () => {
    const r = parse({
      host: "  SMTP.Example.COM ",
      port: " 465 ",
      user: " ana ",
      password: "",
      replyTo: "   ",
      fromName: "  ",
    });
    expect(r.data).toMatchObject({
      host: "smtp.example.com",
      port: 465,
      user: "ana",
      password: undefined,
      replyTo: undefined,
      fromName: "",
    });
  });

  it("accepts absent optional fields", () => {
    const { password: _p, replyTo: _r, fromName: _f, ...rest } = valid;
    const data = emailSettingsSchema.parse(rest);
    expect(data.password).toBeUndefined();
    expect(data.replyTo).toBeUndefined();
    expect(data.fromName).toBe("");
  });

  it("keeps spaces inside a non-Google password", () => {
    expect(parse({ password: " pass word " }).data?.password).toBe(" pass word ");
  });

  it("accepts an IP address as the server", () => {
    expect(parse({ host: "192.0.2.10" }).data?.host).toBe("192.0.2.10");
  });
});

describe("emailSettingsSchema: Google app passwords", () => {
  const gmail = {
    ...valid,
    provider: "google-mail",
    host: "smtp.gmail.com",
    user: "ana@gmail.com",
    fromAddress: "ana@gmail.com",
  };

  it("normalises an app password typed with spaces to 16 letters", () => {
    const r = emailSettingsSchema.safeParse({ ...gmail, password: "abcd efgh ijkl mnop" });
    expect(r.success).toBe(true);
    expect(r.data?.password).toBe("abcdefghijklmnop");
  });

  it("accepts upper-case letters and tabs between groups", () => {
    expect(emailSettingsSchema.parse({ ...gmail, password: " ABCD\tefgh ijkl  MNOP " }).password).toBe(
      "ABCDefghijklMNOP",
    );
  });

  it.each([
    "MyGooglePassw0rd!",
    "abcd efgh ijkl mno",
    "abcd efgh ijkl mnopq",
    "abcd-efgh-ijkl-mnop",
    "abcd efgh ijkl mn0p",
  ])("refuses %j on the password field", (password) => {
    expect(fieldErrors("password", password, gmail)).toEqual([GOOGLE_MESSAGE]);
  });

  it("applies to Google Workspace too", () => {
    expect(fieldErrors("password", "CorrectHorse42", { ...gmail, provider: "google-workspace" })).toEqual([
      GOOGLE_MESSAGE,
    ]);
  });

  it("allows a blank password (keep the saved one), even one of spaces only", () => {
    expect(emailSettingsSchema.parse({ ...gmail, password: "" }).password).toBeUndefined();
    expect(emailSettingsSchema.parse({ ...gmail, password: "   " }).password).toBeUndefined();
  });

  it("does not apply to other providers", () => {
    expect(parse({ provider: "microsoft-365", password: "MyGooglePassw0rd!" }).success).toBe(true);
  });

  it("with Google Mail chosen, User and an app password are all it needs: preset server, From = User", () => {
    const r = emailSettingsSchema.parse({
      provider: "google-mail",
      user: "ana@gmail.com",
      password: "abcd efgh ijkl mnop",
      version: "0",
    });
    expect(r).toMatchObject({
      host: "smtp.gmail.com",
      port: 587,
      security: "starttls",
      user: "ana@gmail.com",
      fromAddress: "ana@gmail.com",
      fromName: "",
    });
  });

  it("a blank Server is the chosen provider's; a typed TLS Port is kept", () => {
    expect(
      emailSettingsSchema.parse({ ...gmail, password: "abcdefghijklmnop", host: "", port: "465", security: "ssl" }),
    ).toMatchObject({ host: "smtp.gmail.com", port: 465, security: "ssl" });
    expect(fieldErrors("host", "", { ...valid, provider: "custom" })[0]).toMatch(/^Enter the server name/);
  });

  it("says the password is not an app password together with every other field error", () => {
    const { fieldErrors } = errorsOf({
      provider: "google-mail",
      user: "ana",
      password: "MyGooglePassw0rd!",
      port: "abc",
      replyTo: "x@",
      version: "0",
    });
    expect(fieldErrors.password).toEqual([GOOGLE_MESSAGE]);
    expect(Object.keys(fieldErrors).sort()).toEqual(["fromAddress", "password", "port", "replyTo"].sort());
  });

  it("still reports the password when another field is wrong too", () => {
    const { fieldErrors } = errorsOf({ ...gmail, password: "MyGooglePassw0rd!", port: "abc" });
    expect(fieldErrors.password).toEqual([GOOGLE_MESSAGE]);
    expect(fieldErrors.port).toBeDefined();
  });
});

describe("emailSettingsSchema: Server", () => {
  it.each([
    ["", /^Enter the server name/],
    ["   ", /^Enter the server name/],
    ["https://smtp.example.com", /^Enter only the server name, without https:\/\/$/],
    ["smtp://smtp.example.com", /^Enter only the server name, without smtp:\/\/$/],
    ["smtp.example.com/mail", /without a path/],
    ["smtp.example .com", /cannot contain spaces/],
    ["smtp_example.com", /only letters, digits, dots and hyphens/],
    ["smtp..example.com", /only letters, digits, dots and hyphens/],
    ["-smtp.example.com", /only letters, digits, dots and hyphens/],
    ["smtp.exämple.com", /only letters, digits, dots and hyphens/],
    ["smtp.example.com:abc", /only letters, digits, dots and hyphens/],
    [
      `${"mail.".repeat(58)}example.com`,
      /^The server name is too long \(at most 253 characters; this one has 301\)\.$/,
    ],
  ])("%j → %s", (host, message) => {
    const errors = fieldErrors("host", host);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it("offers to split server:port", () => {
    expect(fieldErrors("host", "smtp.example.com:587")).toEqual([
      "Looks like the server and port together. Put smtp.example.com in Server and 587 in TLS Port.",
    ]);
    expect(fieldErrors("host", "Mail.Acme.io:465")).toEqual([
      "Looks like the server and port together. Put mail.acme.io in Server and 465 in TLS Port.",
    ]);
  });
});

describe("emailSettingsSchema: other fields", () => {
  it.each(["", "0", "65536", "587.5", "-587", "abc", "5 87", "1e3", "0x24b"])("TLS Port %j is refused", (port) => {
    expect(fieldErrors("port", port)).toEqual(["Enter a port number from 1 to 65535, like 587 or 465."]);
  });

  it.each(["1", "25", "65535"])("TLS Port %j is accepted", (port) => {
    expect(parse({ port }).data?.port).toBe(Number(port));
  });

  it("refuses an unknown security value", () => {
    expect(fieldErrors("security", "tls")).toEqual(["Choose SSL/TLS or STARTTLS."]);
  });

  it("refuses an empty User or one over 320 characters", () => {
    expect(fieldErrors("user", "  ")[0]).toMatch(/^Enter the user name/);
    expect(fieldErrors("user", "a".repeat(321))).toEqual(["The user name is at most 320 characters."]);
    expect(parse({ user: "a".repeat(320) }).success).toBe(true);
  });

  it("refuses a password over 1024 characters", () => {
    expect(fieldErrors("password", "x".repeat(1025))).toEqual(["A password is at most 1024 characters."]);
    expect(parse({ password: "x".repeat(1024) }).success).toBe(true);
  });

  it.each(["", "  "])("a blank From address %j is sent as User", (value) => {
    expect(parse({ fromAddress: value, user: "ana@clinic.test" }).data?.fromAddress).toBe("ana@clinic.test");
  });

  it("a From address left out entirely is sent as User too", () => {
    const { fromAddress: _, ...rest } = valid;
    expect(emailSettingsSchema.parse(rest).fromAddress).toBe(valid.user);
  });

  it("asks for a From address only when User is not an email address", () => {
    expect(fieldErrors("fromAddress", "", { ...valid, user: "AKIAIOSFODNN7EXAMPLE" })).toEqual([FROM_NEEDED_MESSAGE]);
    expect(parse({ fromAddress: "billing@example.com", user: "AKIAIOSFODNN7EXAMPLE" }).success).toBe(true);
  });

  it("keeps a From address that differs from User", () => {
    expect(parse({ fromAddress: "invoices@example.com" }).data?.fromAddress).toBe("invoices@example.com");
  });

  it.each([
    "billing",
    "billing@",
    "@example.com",
    "billing@example",
    "bill ing@example.com",
    "Acme <billing@example.com>",
  ])("From address %j is refused as invalid", (value) => {
    expect(fieldErrors("fromAddress", value)).toEqual(["Enter a valid email address, like billing@example.com."]);
  });

  it.each(["accounts", "accounts@", "a@b"])("Reply-to %j is refused", (value) => {
    expect(fieldErrors("replyTo", value)).toEqual(["Enter a valid email address, or leave Reply-to blank."]);
  });

  it("refuses a From name over 120 characters", () => {
    expect(fieldErrors("fromName", "n".repeat(121))).toEqual(["Keep the name under 120 characters."]);
  });

  it.each(["", " ", "-1", "1.5", "x", "1e3"])("refuses version %j", (version) => {
    expect(fieldErrors("version", version)).toEqual(["The form is out of date. Reload the page and try again."]);
  });

  it("accepts version 0", () => {
    expect(parse({ version: "0" }).data?.version).toBe(0);
  });

  it("refuses a missing version", () => {
    const { version: _, ...rest } = valid;
    expect(Object.keys(errorsOf(rest).fieldErrors)).toEqual(["version"]);
  });
});

describe("emailSettingsSchema: line breaks", () => {
  const textFields = ["host", "user", "password", "fromName", "fromAddress", "replyTo"] as const;
  const cases = textFields.flatMap((field) =>
    ["\r", "\n", "\r\n"].flatMap((br) => [
      [field, `${valid[field]}${br}Bcc: victim@example.com`],
      [field, `${valid[field]}${br}`],
    ]),
  );
  it.each(cases)("%s with %j is refused", (field, value) => {
    expect(fieldErrors(field, value)).toEqual(["Line breaks are not allowed here."]);
  });

  it("refuses a line break in a Google password before whitespace is removed", () => {
    const gmail = { ...valid, provider: "google-mail" };
    expect(fieldErrors("password", "abcd efgh\r\nijkl mnop", gmail)).toEqual(["Line breaks are not allowed here."]);
  });

  it.each(["provider", "port", "security", "version"] as const)("%s with a line break is refused", (field) => {
    expect(fieldErrors(field, `${valid[field]}\n`)).toEqual(["Line breaks are not allowed here."]);
    expect(fieldErrors(field, `\r\n${valid[field]}`)).toEqual(["Line breaks are not allowed here."]);
  });
});

describe("emailSettingsSchema: shape", () => {
  it("refuses an unknown provider id on the provider field", () => {
    expect(fieldErrors("provider", "hotmail")).toEqual(["Choose a provider from the list."]);
    expect(fieldErrors("provider", "")).toEqual(["Choose a provider from the list."]);
  });

  it("refuses extra fields", () => {
    const r = emailSettingsSchema.safeParse({ ...valid, orgId: "someone-else" });
    expect(r.success).toBe(false);
    expect(z.flattenError(r.error!).formErrors).toEqual(["Unexpected field: orgId."]);
  });

  it("labels every field with the exact UI label", () => {
    expect(EMAIL_SETTINGS_FIELD_LABELS).toEqual({
      provider: "Provider",
      host: "Server",
      port: "TLS Port",
      security: "Security",
      user: "User",
      password: "Password",
      fromName: "From name",
      fromAddress: "From address",
      replyTo: "Reply-to",
    });
    const schemaFields = EMAIL_SETTINGS_FIELD_NAMES.filter((k) => k !== "version");
    expect(Object.keys(EMAIL_SETTINGS_FIELD_LABELS).sort()).toEqual(schemaFields.sort());
  });
});

describe("splitHostPort", () => {
  itReturns(
    "%j → %j",
    splitHostPort,
    [
      ["smtp.example.com:587", { host: "smtp.example.com", port: 587 }],
      ["  SMTP.Gmail.com:465 ", { host: "smtp.gmail.com", port: 465 }],
      ["192.0.2.1:25", { host: "192.0.2.1", port: 25 }],
    ],
    "toEqual",
  );

  itReturnsNull("%j → null", splitHostPort, [
    "smtp.example.com",
    "smtp.example.com:",
    "smtp.example.com:0",
    "smtp.example.com:70000",
    "https://smtp.example.com:587",
    "smtp_x.com:587",
    ":587",
    "a:b:587",
  ]);
});
