import { spawn } from "node:child_process";
import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { ROOT } from "../helpers/migrate";
import { postgresUrl } from "../helpers/postgres";
import { freePort, stopProcessGroup } from "./support/app";

// Production start-up (`npm start`: server.mjs with Next.js's handler) with part of the configuration missing or wrong.
const secret = crypto.randomBytes(32).toString("base64url");
const key = crypto.randomBytes(32).toString("base64");
const url = postgresUrl("fes_startup_check");

async function start(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
      PORT: String(port),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return { child, port, output: () => output };
}

for (const [missing, env, message] of [
  ["DATABASE_URL", { AUTH_SECRET: secret, SETTINGS_ENCRYPTION_KEY: key }, "DATABASE_URL is required in production"],
  ["AUTH_SECRET", { DATABASE_URL: url, SETTINGS_ENCRYPTION_KEY: key }, "AUTH_SECRET is required in production"],
  [
    "SETTINGS_ENCRYPTION_KEY",
    { DATABASE_URL: url, AUTH_SECRET: secret },
    "SETTINGS_ENCRYPTION_KEY is required in production",
  ],
  // A proxy count that is not a number would leave the throttle's client address undefined: refuse to start.
  [
    "TRUSTED_PROXY_HOPS",
    { TRUSTED_PROXY_HOPS: "the load balancer", AUTH_SECRET: secret },
    "TRUSTED_PROXY_HOPS must be a whole number from 0 to 10",
  ],
] as const) {
  test(`start-up stops and names ${missing} when it is missing or wrong in production`, async () => {
    const app = await start(env);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        void stopProcessGroup(app.child);
        resolve(null);
      }, 30_000);
      app.child.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    expect(app.output()).toContain(message);
    expect(app.output()).not.toContain(secret);
  });
}

test("/api/health answers 503 while the database does not", async () => {
  const app = await start({
    DATABASE_URL: postgresUrl("fes_no_such_database"),
    AUTH_SECRET: secret,
    SETTINGS_ENCRYPTION_KEY: key,
  });
  try {
    let res: Response | undefined;
    for (let i = 0; i < 100 && !res; i++) {
      res = await fetch(`http://127.0.0.1:${app.port}/api/health`).catch(() => undefined);
      if (!res) await new Promise((r) => setTimeout(r, 200));
    }
    expect(res?.status).toBe(503);
    expect(await res!.json()).toEqual({ version: expect.any(String), database: "unavailable" });
  } finally {
    await stopProcessGroup(app.child);
  }
});
