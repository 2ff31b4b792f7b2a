// How a webhook request is signed: HMAC-SHA256, with the organisation's webhook secret, of
// "<timestamp>.<delivery id>.<body>". The timestamp (Unix seconds, at sending) lets a receiver refuse an old request
// and the id one it has already seen, so a captured request cannot be replayed; both are in the signed text, so
// neither can be changed. The help page's receiver sample (lib/help/webhook-verify-sample.ts) checks exactly this.
import "server-only";
import crypto from "node:crypto";

/** The headers that sign `body` as delivery `id`, sent at `at`. */
export function webhookSignatureHeaders(
  body: string,
  { secret, id, at }: { secret: string; id: string; at: Date },
): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = crypto.createHmac("sha256", secret).update(`${timestamp}.${id}.${body}`).digest("hex");
  return { "X-Webhook-Id": id, "X-Webhook-Timestamp": timestamp, "X-Signature-256": `sha256=${signature}` };
}
