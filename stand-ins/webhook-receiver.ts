// Stand-in for an organisation's alert webhook endpoint: an HTTPS server on 127.0.0.1 that records each POST.
//
// A real HTTPS endpoint for alert webhooks: 127.0.0.1 with the test CA's localhost certificate (trusted through
// NODE_EXTRA_CA_CERTS, as for the SMTP server). It records each POST and answers with the status set by answerWith.
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { ensureTestCa } from "./test-ca";

export type ReceivedWebhook = {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
};

export type WebhookReceiver = {
  url: string;
  received: ReceivedWebhook[];
  /** The HTTP status the next requests get (200 unless set). */
  answerWith(status: number): void;
  /** Whether the request's X-Signature-256 is HMAC-SHA256 of its exact body with this secret. */
  signedWith(request: ReceivedWebhook, secret: string): boolean;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const ca = ensureTestCa();
  const received: ReceivedWebhook[] = [];
  let status = 200;
  const server = https.createServer(
    { cert: fs.readFileSync(ca.serverCert), key: fs.readFileSync(ca.serverKey) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(body) as Record<string, unknown>;
        } catch {
          // recorded as it came
        }
        received.push({ headers: req.headers, body, json });
        res.writeHead(status, { "Content-Type": "text/plain" }).end(status < 300 ? "ok" : "no");
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}/hooks/finance`,
    received,
    answerWith(next) {
      status = next;
    },
    signedWith(request, secret) {
      const expected = `sha256=${crypto.createHmac("sha256", secret).update(request.body).digest("hex")}`;
      return request.headers["x-signature-256"] === expected;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook requests, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
