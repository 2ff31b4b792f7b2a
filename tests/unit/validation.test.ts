import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  addMemberSchema,
  changePasswordSchema,
  emailField,
  newPasswordField,
  personNameField,
  setupSchema,
  signInSchema,
} from "@/lib/validation/account";
import { isCommonPassword } from "@/lib/validation/common-passwords";
import { TIME_ZONE_REFUSED, timeZoneSchema } from "@/lib/validation/organisation";
import { TIME_ZONES } from "@/lib/format";

const validSetup = {
  organisationName: "Acme Finance",
  name: "Ana Owner",
  email: "ana@example.com",
  password: "correct mule staple 42",
};

function fieldErrors(schema: z.ZodType, input: unknown): Record<string, string[] | undefined> {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return z.flattenError(result.error!).fieldErrors;
}

describe("emailField", () => {
  it("trims and lower-cases a valid address", () => {
    expect(emailField.parse("  Ana@Example.COM ")).toBe("ana@example.com");
  });
  it.each(["", "   ", "ana", "ana@", "@example.com", "ana@example", "ana @example.com", "a\r\nb@example.com"])(
    "rejects %j",
    (value) => {
      expect(emailField.safeParse(value).success).toBe(false);
    },
  );
  it("rejects a non-string", () => {
    expect(emailField.safeParse(undefined).error?.issues[0].message).toBe("Enter an email address.");
  });
});

describe("personNameField", () => {
  it("accepts and trims a name", () => {
    expect(personNameField.parse("  Ana Owner ")).toBe("Ana Owner");
  });
  it.each(["", "   "])("rejects the empty name %j", (value) => {
    expect(personNameField.safeParse(value).error?.issues[0].message).toBe("Enter a name.");
  });
  it.each(["Ana\nOwner", "Ana\rOwner", "Ana\r\nBcc: evil@example.com"])("rejects line breaks in %j", (value) => {
    expect(personNameField.safeParse(value).error?.issues[0].message).toBe("A name cannot contain line breaks.");
  });
  it("rejects a name over 120 characters", () => {
    expect(personNameField.safeParse("x".repeat(121)).success).toBe(false);
    expect(personNameField.safeParse("x".repeat(120)).success).toBe(true);
  });
});

describe("newPasswordField", () => {
  it("accepts 12 characters that are not common", () => {
    expect(newPasswordField.safeParse("tram-violet9").success).toBe(true);
  });
  it("rejects a password under 12 characters", () => {
    expect(newPasswordField.safeParse("tram-violet").error?.issues[0].message).toBe("Use at least 12 characters.");
  });
  it.each(["password1234", "PASSWORD1234", "correcthorsebatterystaple", "zzzzzzzzzzzzzz", "98765432109876"])(
    "rejects the common password %j",
    (value) => {
      expect(newPasswordField.safeParse(value).error?.issues[0].message).toMatch(/too common/);
    },
  );
  it("rejects a password over 1024 characters", () => {
    expect(newPasswordField.safeParse("ab".repeat(513)).success).toBe(false);
  });
  it("isCommonPassword compares case-insensitively and ignores strong passwords", () => {
    expect(isCommonPassword("Qwerty123456")).toBe(true);
    expect(isCommonPassword("tram-violet9")).toBe(false);
  });
});

describe("setupSchema", () => {
  it("accepts a complete form and normalises it", () => {
    expect(
      setupSchema.parse({
        ...validSetup,
        email: " ANA@example.com",
        organisationName: " Acme Finance ",
        timeZone: "Europe/Berlin",
      }),
    ).toEqual({ ...validSetup, timeZone: "Europe/Berlin" });
  });
  it.each([undefined, "", "Mars/Olympus_Mons", "+05:00", "x".repeat(65)])(
    "saves UTC when the browser sends no time zone the app knows (%j)",
    (timeZone) => {
      expect(setupSchema.parse({ ...validSetup, timeZone }).timeZone).toBe("UTC");
    },
  );
  it("reports each bad field by name", () => {
    const errors = fieldErrors(setupSchema, {
      organisationName: "",
      name: "",
      email: "not-an-email",
      password: "short",
    });
    expect(errors.organisationName).toEqual(["Enter your organisation's name."]);
    expect(errors.name).toEqual(["Enter a name."]);
    expect(errors.email).toEqual(["Enter a valid email address, like name@example.com."]);
    expect(errors.password).toEqual(["Use at least 12 characters."]);
  });
  it("rejects line breaks in the organisation name", () => {
    const errors = fieldErrors(setupSchema, { ...validSetup, organisationName: "Acme\nFinance" });
    expect(errors.organisationName).toEqual(["A name cannot contain line breaks."]);
  });
  it("rejects an unknown extra field", () => {
    const result = setupSchema.safeParse({ ...validSetup, role: "OWNER" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].code).toBe("unrecognized_keys");
  });
});

describe("other account schemas", () => {
  it("signInSchema accepts any non-empty password and rejects extra fields", () => {
    expect(signInSchema.safeParse({ email: "a@example.com", password: "x" }).success).toBe(true);
    expect(signInSchema.safeParse({ email: "a@example.com", password: "" }).success).toBe(false);
    expect(signInSchema.safeParse({ email: "a@example.com", password: "x", isAdmin: true }).success).toBe(false);
  });
  it("addMemberSchema accepts the three roles only and rejects extra fields", () => {
    const base = { email: "b@example.com", name: "Bo", role: "ADMIN" };
    expect(addMemberSchema.safeParse(base).success).toBe(true);
    expect(fieldErrors(addMemberSchema, { ...base, role: "SUPERUSER" }).role).toEqual([
      "Choose Owner, Admin or Member.",
    ]);
    expect(addMemberSchema.safeParse({ ...base, orgId: "other-org" }).success).toBe(false);
    expect(fieldErrors(addMemberSchema, { ...base, name: "Bo\r\nX" }).name).toEqual([
      "A name cannot contain line breaks.",
    ]);
  });
  it("changePasswordSchema requires matching, different, strong new passwords", () => {
    const ok = { currentPassword: "old password 1", newPassword: "tram-violet9x", confirmPassword: "tram-violet9x" };
    expect(changePasswordSchema.safeParse(ok).success).toBe(true);
    expect(fieldErrors(changePasswordSchema, { ...ok, confirmPassword: "tram-violet9y" }).confirmPassword).toEqual([
      "The two new passwords do not match.",
    ]);
    expect(fieldErrors(changePasswordSchema, { ...ok, currentPassword: "tram-violet9x" }).newPassword).toEqual([
      "Choose a password different from the current one.",
    ]);
    expect(
      fieldErrors(changePasswordSchema, { ...ok, newPassword: "short", confirmPassword: "short" }).newPassword,
    ).toEqual(["Use at least 12 characters."]);
  });
});

describe("timeZoneSchema", () => {
  it("accepts the zones of the list, under their canonical names", () => {
    expect(timeZoneSchema.parse({ timeZone: "Europe/Berlin" })).toEqual({ timeZone: "Europe/Berlin" });
    expect(timeZoneSchema.parse({ timeZone: "UTC" })).toEqual({ timeZone: "UTC" });
    expect(timeZoneSchema.parse({ timeZone: "Etc/UTC" })).toEqual({ timeZone: "UTC" });
    for (const zone of TIME_ZONES) expect(timeZoneSchema.parse({ timeZone: zone }).timeZone).toBe(zone);
  });
  it.each(["", "Mars/Olympus_Mons", "+05:00", "Europe/Berlin\n", "x".repeat(65)])("refuses %j", (timeZone) => {
    expect(fieldErrors(timeZoneSchema, { timeZone }).timeZone).toEqual([TIME_ZONE_REFUSED]);
  });
  it("refuses a missing zone and extra fields", () => {
    expect(fieldErrors(timeZoneSchema, {}).timeZone).toEqual([TIME_ZONE_REFUSED]);
    expect(timeZoneSchema.safeParse({ timeZone: "UTC", orgId: "other" }).success).toBe(false);
  });
});
