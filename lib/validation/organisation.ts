// The organisation's own settings: the schema shared by the form that changes them and its server action (and by
// setup, which fills the time zone from the owner's browser).
import { z } from "zod";
import { canonicalTimeZone } from "../format";

export const TIME_ZONE_REFUSED = "Choose a time zone from the list.";

/** An IANA zone the app accepts, as its canonical name ("Asia/Kolkata" is kept as this runtime names it). */
export const timeZoneField = z
  .string({ error: TIME_ZONE_REFUSED })
  .max(64, TIME_ZONE_REFUSED)
  .transform((name, ctx) => {
    const zone = canonicalTimeZone(name);
    if (!zone) ctx.addIssue({ code: "custom", message: TIME_ZONE_REFUSED });
    return zone ?? name;
  });

export const timeZoneSchema = z.strictObject({ timeZone: timeZoneField });
export type TimeZoneInput = z.infer<typeof timeZoneSchema>;
