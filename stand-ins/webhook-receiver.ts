// Stand-in for an organisation's alert webhook endpoint: an HTTPS server on 127.0.0.1 that records each POST.
//
// A real HTTPS endpoint for alert webhooks: 127.0.0.1 with the test CA's localhost certificate (trusted through
// NODE_EXTRA_CA_CERTS, as for the SMTP server). It records each POST and answers with the status set by answerWith,
// or badly on purpose: a byte at a time, or with an endless body. Signatures are checked with the receiver sample
// the help page shows (lib/help/webhook-verify-sample.ts), loaded from its text.
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { VERIFY_FUNCTION, WEBHOOK_VERIFY_SAMPLE } from "../lib/help/webhook-verify-sample";
import { ensureTestCa } from "./test-ca";

export type ReceivedWebhook = {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
};

/** How much of an answer went out before its connection closed, and whether that was all of it. */
export type AnswerWritten = { written: number; complete: boolean };

export type WebhookReceiver = {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** The HTTP status the next requests get (200 unless set). */
  answerWith(status: number): void;
  /** The next requests get their status line and headers one byte every intervalMs, for as long as they wait. */
  answerSlowly(intervalMs: number): void;
  /** The next requests get this status with a body of `bytes` bytes, sent as fast as they read it. */
  answerWithBody(status: number, bytes: number): void;
  /** The latest answer, once its connection has closed. */
  lastAnswer(): Promise<AnswerWritten>;
  /** Whether the help page's sample accepts the request as signed with this secret. */
  signedWith(request: ReceivedWebhook, secret: string): boolean;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
};

export type VerifyWebhook = (
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  secret: string,
) => boolean;

/** The help page's receiver sample, as a module made from the very text the page shows. */
export async function loadVerifySample(): Promise<VerifyWebhook> {
  const hash = crypto.createHash("sha256").update(WEBHOOK_VERIFY_SAMPLE).digest("hex").slice(0, 16);
  const file = path.join(os.tmpdir(), `fes-webhook-verify-${hash}.mjs`);
  if (!fs.existsSync(file)) {
    const draft = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    fs.writeFileSync(draft, WEBHOOK_VERIFY_SAMPLE);
    fs.renameSync(draft, file);
  }
  const sample = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, VerifyWebhook>;
  return sample[VERIFY_FUNCTION];
}

type Answer =
  | { kind: "status"; status: number }
  | { kind: "slow"; intervalMs: number }
  | { kind: "body"; status: number; bytes: number };

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const ca = ensureTestCa();
  const verify = await loadVerifySample();
  const received: ReceivedWebhook[] = [];
  let answer: Answer = { kind: "status", status: 200 };
  let last: Promise<AnswerWritten> = Promise.resolve({ written: 0, complete: true });
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
        const state: AnswerWritten = { written: 0, complete: false };
        last = new Promise((resolve) => req.socket.once("close", () => resolve(state)));
        if (answer.kind === "status") {
          res.writeHead(answer.status, { "Content-Type": "text/plain" }).end(answer.status < 300 ? "ok" : "no");
          state.complete = true;
        } else if (answer.kind === "slow") {
          // Written to the socket itself, a byte at a time: the status line is never whole before the end.
          const text = `HTTP/1.1 200 OK\r\nX-Slow: ${"z".repeat(120)}\r\nContent-Length: 0\r\n\r\n`;
          const socket = req.socket;
          const timer = setInterval(() => {
            if (socket.destroyed) return;
            socket.write(text[state.written++]);
            if (state.written === text.length) {
              clearInterval(timer);
              state.complete = true;
            }
          }, answer.intervalMs);
          socket.once("close", () => clearInterval(timer));
        } else {
          let left = answer.bytes;
          const chunk = Buffer.alloc(64 * 1024, "z");
          res.writeHead(answer.status, { "Content-Type": "text/plain", "Content-Length": String(answer.bytes) });
          const pump = () => {
            while (left > 0) {
              const n = Math.min(left, chunk.length);
              left -= n;
              state.written += n;
              if (!res.write(chunk.subarray(0, n))) return void res.once("drain", pump);
            }
            res.end(() => (state.complete = true));
          };
          pump();
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}/hooks/finance`,
    port,
    received,
    answerWith(status) {
      answer = { kind: "status", status };
    },
    answerSlowly(intervalMs) {
      answer = { kind: "slow", intervalMs };
    },
    answerWithBody(status, bytes) {
      answer = { kind: "body", status, bytes };
    },
    lastAnswer: () => last,
    signedWith(request, secret) {
      return verify(request.headers, request.body, secret);
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
