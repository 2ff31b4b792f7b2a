// One interface for every way a mailbox is used: a test send, a check of the saved settings and a scheduled
// sign-in check all go through a Transport, so another way of sending (a provider's mail API) fits in beside SMTP
// without its callers changing. A result is step by step, with a diagnosis when it failed.
import type { LookupAll } from "../../net/address-guard";
import type { Diagnosis } from "../../smtp/diagnose";
import type { Security } from "../../smtp/presets";

export type StepId = "lookup" | "connect" | "tls" | "auth" | "envelope" | "message";
export type StepStatus = "ok" | "failed" | "skipped";
export type TestStep = { id: StepId; label: string; status: StepStatus; ms: number; detail?: string };

export const STEP_LABELS: Record<StepId, string> = {
  lookup: "Address lookup",
  connect: "Connection",
  tls: "TLS",
  auth: "Authentication",
  envelope: "Sender and recipient accepted",
  message: "Message accepted",
};

/**
 * send: a whole message. check: up to the recipient being accepted, nothing sent. login: sign in and leave (the
 * scheduled account check: nothing is sent and no recipient is named).
 */
export type DeliveryMode = "send" | "check" | "login";

export type DeliveryResult = {
  ok: boolean;
  mode: DeliveryMode;
  steps: TestStep[];
  durationMs: number;
  failedStep?: StepId;
  /** The server's last reply, redacted. */
  reply?: string;
  diagnosis?: Diagnosis;
};

/** Where the account lives and who it signs in as. */
export type MailboxAccount = { provider: string; host: string; port: number; security: Security; user: string };

/** What it signs in with: a password, or a linked mailbox's access token. */
export type MailboxCredential =
  { password: string; accessToken?: undefined } | { accessToken: string; password?: undefined };

export type Delivery = {
  mode: DeliveryMode;
  envelopeFrom: string;
  to: string;
  /** Built lazily, so a check never composes a message. */
  message: () => Promise<Buffer>;
};

/** How far a transport may reach: its time budget, and whether private addresses are allowed (tests, on-premises). */
export type NetworkPolicy = { budgetMs: number; allowPrivate: boolean; lookup?: LookupAll };

export interface Transport {
  deliver(account: MailboxAccount, credential: MailboxCredential, delivery: Delivery): Promise<DeliveryResult>;
}

/** An attempt that failed at Authentication before any connection: the credentials could not be had. */
export function failedBeforeConnecting(mode: DeliveryMode, detail: string, diagnosis: Diagnosis): DeliveryResult {
  return {
    ok: false,
    mode,
    steps: [{ id: "auth", label: STEP_LABELS.auth, status: "failed", ms: 0, detail }],
    durationMs: 0,
    failedStep: "auth",
    diagnosis,
  };
}
