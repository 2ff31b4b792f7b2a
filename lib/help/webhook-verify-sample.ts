// The receiver's side of a signed alert webhook, as the help page shows it (app/help/alerts). Kept as the text a
// reader copies; the tests load this very text as a module and verify real deliveries with it.

/** The name the sample exports. */
export const VERIFY_FUNCTION = "isFromFinanceEmailSetup";

export const WEBHOOK_VERIFY_SAMPLE = `import crypto from "node:crypto";

const FIVE_MINUTES = 5 * 60;

// headers: the request's headers, with lower-case names (as Node.js gives them)
// body: the request body exactly as received (a string or Buffer, before JSON.parse)
export function ${VERIFY_FUNCTION}(headers, body, secret) {
  const id = headers["x-webhook-id"];
  const timestamp = headers["x-webhook-timestamp"];
  const signature = headers["x-signature-256"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signature !== "string") return false;
  // An old request (or one from the future) may be a replay: refuse it.
  const age = Math.floor(Date.now() / 1000) - Number(timestamp);
  if (!/^\\d+$/.test(timestamp) || Math.abs(age) > FIVE_MINUTES) return false;
  const expected = Buffer.from(
    "sha256=" + crypto.createHmac("sha256", secret).update(timestamp + "." + id + ".").update(body).digest("hex"),
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
`;
