// Google Mail needs only User and Password. Choosing the provider fills Server smtp.gmail.com, TLS Port 587
// and STARTTLS; From address may stay blank (it becomes User). The test email then goes to "smtp.gmail.com:587" for
// real: the app is started with tests/e2e/support/hosts-preload.cjs, which makes smtp.gmail.com resolve to 127.0.0.1
// inside the app's process, where a STARTTLS SMTP server (smtp-server) answers with a certificate for
// DNS:smtp.gmail.com from the test CA (trusted through NODE_EXTRA_CA_CERTS). Nothing in the app is changed for this.
import fs from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from "smtp-server";
import { ensureGmailCert } from "../../stand-ins/test-ca";
import { openAdvanced, query, seedOrganisation, signIn, test, useFreshApp } from "./support/app";

const GMAIL_HOST = "smtp.gmail.com";
const GMAIL_PORT = 587;
const USER = "harbour.accounts@gmail.com";
const APP_PASSWORD = "qwhz ktrm vbnx plsd";
const APP_PASSWORD_COMPACT = "qwhzktrmvbnxplsd";
const ADMIN = "admin@harbour.example";
const OTHER_ADMIN = "admin@quay.example";

const ca = ensureGmailCert();
const preload = path.resolve(__dirname, "support/hosts-preload.cjs");
const requirePreload = `--require ${/[\s"'\\]/.test(preload) ? JSON.stringify(preload) : preload}`;
const app = useFreshApp({
  NODE_EXTRA_CA_CERTS: ca.caFile,
  SMTP_ALLOW_PRIVATE_NETWORKS: "true",
  NODE_OPTIONS: [process.env.NODE_OPTIONS, requirePreload].filter(Boolean).join(" "),
  TEST_HOSTS: `${GMAIL_HOST}=127.0.0.1`,
});
test.describe.configure({ mode: "serial" });

type Received = { authUser: string; envelopeFrom: string; envelopeTo: string[]; from: string; raw: string };
type Gmail = { messages: Received[]; authAttempts: string[]; close: () => Promise<void> };

function headerValue(raw: string, name: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ":"));
  return line ? line.slice(name.length + 1).trim() : "";
}

/** The address in a From header value: `"Name" <a@b>` or `a@b`. */
function addressOf(value: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(value);
  return (angle ? angle[1] : value).trim();
}

/** A STARTTLS SMTP server on 127.0.0.1:587 presenting the smtp.gmail.com certificate, with Gmail's AUTH rules. */
async function startGmailStandIn(): Promise<Gmail> {
  const messages: Received[] = [];
  const authAttempts: string[] = [];
  const smtp = new SMTPServer({
    secure: false,
    name: GMAIL_HOST,
    key: fs.readFileSync(ca.gmailKey),
    cert: fs.readFileSync(ca.gmailCert),
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: false,
    allowInsecureAuth: false, // AUTH only after STARTTLS, as at Google
    disableReverseLookup: true,
    logger: false,
    socketTimeout: 30_000,
    closeTimeout: 100,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      const user = auth.username ?? "";
      authAttempts.push(user);
      if (user === USER && auth.password === APP_PASSWORD_COMPACT) return callback(null, { user });
      const err = Object.assign(new Error("5.7.8 Username and Password not accepted."), { responseCode: 535 });
      return callback(err);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        messages.push({
          authUser: String(session.user ?? ""),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          from: headerValue(raw, "From"),
          raw,
        });
        callback(null, `2.0.0 OK ${Math.floor(Date.now() / 1000)} ${session.id} - gsmtp`);
      });
    },
  });
  // smtp-server re-emits its sockets' and listener's errors (a client that drops mid-session, or the listen error
  // handled below); without a listener that would throw.
  smtp.on("error", () => {});
  const server = smtp.server;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(
        err.code === "EADDRINUSE"
          ? new Error(
              `Port ${GMAIL_PORT} on 127.0.0.1 is already in use, so the smtp.gmail.com stand-in cannot listen there. Stop whatever holds it (\`ss -ltnp | grep :${GMAIL_PORT}\`) and run again.`,
            )
          : err.code === "EACCES"
            ? new Error(
                `Not allowed to listen on port ${GMAIL_PORT} (below 1024): run this spec as root or with CAP_NET_BIND_SERVICE.`,
              )
            : err,
      );
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(GMAIL_PORT, "127.0.0.1");
  });
  return {
    messages,
    authAttempts,
    close: () =>
      new Promise<void>((resolve) => {
        smtp.close(() => resolve());
        for (const conn of smtp.connections) (conn as unknown as { close(): void }).close();
      }),
  };
}

let gmail: Gmail | undefined;
test.beforeAll(async () => {
  gmail = await startGmailStandIn();
  await seedOrganisation(app(), "Harbour Accounting", [{ email: ADMIN, name: "Adam Admin", role: "ADMIN" }]);
  await seedOrganisation(app(), "Quay Bookkeeping", [{ email: OTHER_ADMIN, name: "Queenie Admin", role: "ADMIN" }]);
});
test.afterAll(async () => {
  await gmail?.close();
});

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

type Row = {
  provider: string;
  host: string;
  port: number;
  security: string;
  username: string;
  fromAddress: string;
  fromName: string;
};
const rowFor = async (adminEmail: string) =>
  (
    await query<Row>(
      app(),
      `SELECT s.* FROM "EmailSettings" s JOIN "Membership" m ON m."orgId" = s."orgId" JOIN "User" u ON u.id = m."userId" WHERE u.email = ?`,
      adminEmail,
    )
  )[0];

/** Where an element starts down the page, in CSS pixels. */
const topOf = async (page: Page, locator: ReturnType<Page["locator"]>) =>
  await locator.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);

test("an empty page to a working Google Mail account, top to bottom: only User and Password are typed, From = User, and a test email arrives from User", async ({
  page,
}) => {
  const bodies: Promise<string>[] = [];
  page.on("response", (r) => bodies.push(r.text().catch(() => "")));
  await signIn(page, ADMIN);
  await page.goto("/settings/email");
  await expect(page.getByTestId("settings-status")).toHaveText("Not set up");

  await field(page, "Provider").selectOption({ label: "Google Mail (Gmail)" });
  // The page reads in the order a person works: the provider, what to prepare at Google, the credentials, the
  // preset's server folded away under "Advanced" with its values, then the test.
  const order = [
    field(page, "Provider"),
    page.getByTestId("google-notes"),
    field(page, "User"),
    field(page, "Password"),
    page.getByTestId("advanced-server"),
    page.getByRole("button", { name: "Send test email" }),
  ];
  const tops = [];
  for (const locator of order) tops.push(await topOf(page, locator));
  expect(tops).toEqual([...tops].sort((a, b) => a - b));
  await expect(page.getByTestId("google-notes")).toContainText("2-Step Verification");
  await expect(page.getByTestId("google-notes").getByRole("link", { name: "app password" })).toHaveAttribute(
    "href",
    "https://myaccount.google.com/apppasswords",
  );
  await expect(page.getByTestId("advanced-server").locator("summary")).toHaveText(
    /^▸\s*Advanced\s*Google · smtp\.gmail\.com:587, STARTTLS$/,
  );
  await expect(field(page, "Server")).toBeHidden();
  // The first setup fits a screen or two, not a scroll through a manual.
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(3000);
  await expect(field(page, "Server")).toHaveValue(GMAIL_HOST);
  await expect(field(page, "TLS Port")).toHaveValue(String(GMAIL_PORT));
  await expect(field(page, "Security")).toHaveValue("starttls");
  // Only these two are typed.
  await field(page, "User").fill(USER);
  await field(page, "Password").fill(APP_PASSWORD);
  await expect(field(page, "From address")).toHaveValue("");
  await expect(field(page, "From address")).toHaveAttribute("placeholder", USER);
  await expect(field(page, "From name")).toHaveValue("");

  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved, not tested yet");

  const row = await rowFor(ADMIN);
  expect(row).toMatchObject({
    provider: "google-mail",
    host: GMAIL_HOST,
    port: GMAIL_PORT,
    security: "starttls",
    username: USER,
    fromAddress: USER,
  });

  // From address = User is shown as the blank field with User as its placeholder.
  await page.reload();
  await expect(field(page, "Provider")).toHaveValue("google-mail");
  await expect(field(page, "User")).toHaveValue(USER);
  await expect(field(page, "From address")).toHaveValue("");
  await expect(field(page, "From address")).toHaveAttribute("placeholder", USER);
  await expect(field(page, "Password")).toHaveValue("");

  // Send to defaults to the signed-in user; a blank Password uses the saved one.
  await expect(field(page, "Send to")).toHaveValue(ADMIN);
  await page.getByRole("button", { name: "Send test email" }).click();
  await expect(page.getByTestId("test-result")).toContainText(`Test email sent to ${ADMIN}`, { timeout: 20_000 });
  await expect(page.getByTestId("settings-status")).toHaveText("Working");
  // With the test's steps on screen, still well short of the long page it was, at 1280 px and on a phone.
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(3000);
  await page.setViewportSize({ width: 390, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(5000);
  await page.setViewportSize({ width: 1280, height: 720 });

  expect(gmail!.authAttempts).toEqual([USER]);
  expect(gmail!.messages).toHaveLength(1);
  const message = gmail!.messages[0];
  expect(message.authUser).toBe(USER);
  expect(addressOf(message.from)).toBe(USER);
  expect(message.envelopeFrom).toBe(USER);
  expect(message.envelopeTo).toEqual([ADMIN]);

  const all = (await Promise.all(bodies)).join("\n") + (await page.content());
  expect(bodies.length).toBeGreaterThan(5);
  for (const secret of [APP_PASSWORD_COMPACT, APP_PASSWORD, "qwhz", "plsd"]) {
    expect(all.includes(secret), `a response contained ${secret}`).toBe(false);
  }
  // Nor the server's log, after a save and a test send (the README's "never written to logs").
  expect(app().logs()).toContain("Finance Email Setup ready on"); // this is the server's log, being read
  for (const secret of [APP_PASSWORD_COMPACT, APP_PASSWORD, "qwhz", "plsd"]) {
    expect(app().logs().includes(secret), `the server's log contained ${secret}`).toBe(false);
  }
});

test("clearing Server and TLS Port shows the values that will be used, and saving keeps Google's", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings/email");
  await openAdvanced(page);
  await field(page, "Server").fill("");
  await field(page, "TLS Port").fill("");
  // The boxes are not left to look empty: they show Google's values, and say a blank one uses them.
  await expect(field(page, "Server")).toHaveAttribute("placeholder", GMAIL_HOST);
  await expect(field(page, "TLS Port")).toHaveAttribute("placeholder", String(GMAIL_PORT));
  await expect(field(page, "Server")).toHaveAccessibleDescription(`Blank uses Google's: ${GMAIL_HOST}`);
  await expect(page.getByTestId("advanced-summary")).toHaveText(`Google · ${GMAIL_HOST}:${GMAIL_PORT}, STARTTLS`);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nothing has changed since the last save" })).toHaveText(
    `Nothing has changed since the last save: mail goes through ${GMAIL_HOST}:${GMAIL_PORT}, STARTTLS, as ${USER}.`,
  );
  await expect(field(page, "Server")).toHaveValue(GMAIL_HOST);
  await expect(field(page, "TLS Port")).toHaveValue(String(GMAIL_PORT));
  expect(await rowFor(ADMIN)).toMatchObject({ host: GMAIL_HOST, port: GMAIL_PORT, security: "starttls" });

  // Saved, the preset's values fold away again, with the summary saying what they are.
  await expect(field(page, "Server")).toBeHidden();
  await expect(page.getByTestId("advanced-summary")).toHaveText(`Google · ${GMAIL_HOST}:${GMAIL_PORT}, STARTTLS`);

  // A saved value that is not the preset's keeps "Advanced" open, so it is never hidden.
  await openAdvanced(page);
  await field(page, "TLS Port").fill("465");
  await expect(field(page, "Security")).toHaveValue("ssl");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("advanced-server")).toHaveAttribute("open", "");
  await expect(page.getByTestId("advanced-summary")).toHaveText(`Google · ${GMAIL_HOST}:465, SSL/TLS`);
});

test("by keyboard alone: a refused test names the field's own rule in the test panel and takes focus to it; nothing is sent", async ({
  page,
}) => {
  await signIn(page, ADMIN);
  await page.goto("/settings/email");
  const sent = gmail!.messages.length;
  const port = field(page, "TLS Port");
  await port.fill("abc");
  await page.getByRole("button", { name: "Send test email" }).focus();
  await page.keyboard.press("Enter");
  const result = page.getByTestId("test-result");
  await expect(result.getByRole("alert")).toContainText("Nothing was sent: fix these first.");
  await expect(result.getByRole("link", { name: /^TLS Port: Enter a port number from 1 to 65535/ })).toBeVisible();
  await expect(result).not.toContainText("Some fields need attention");
  await expect(port).toBeFocused();
  await expect(port).toHaveAccessibleDescription(/Enter a port number from 1 to 65535/);
  // The summary's link takes the keyboard back to the field from wherever the person is.
  await page.getByRole("button", { name: "Send test email" }).focus();
  await result.getByRole("link", { name: /^TLS Port:/ }).focus();
  await page.keyboard.press("Enter");
  await expect(port).toBeFocused();
  expect(gmail!.messages.length).toBe(sent);
});

test("a Google account password and a bad TLS Port are both refused at once, and nothing is saved", async ({
  page,
}) => {
  await signIn(page, OTHER_ADMIN);
  await page.goto("/settings/email");
  await field(page, "Provider").selectOption({ label: "Google Mail (Gmail)" });
  await field(page, "User").fill("quay.books@gmail.com");
  await field(page, "Password").fill("MyGooglePassw0rd!");
  await openAdvanced(page);
  await field(page, "TLS Port").fill("abc");
  await page.getByRole("button", { name: "Save settings" }).click();

  // The hints alone already say "app password" and "587 (recommended) or 465": these are the error messages.
  await expect(field(page, "Password")).toHaveAccessibleDescription(/Google requires an app password/);
  await expect(field(page, "TLS Port")).toHaveAccessibleDescription(/Enter a port number from 1 to 65535/);
  await expect(field(page, "Password")).toHaveAttribute("aria-invalid", "true");
  await expect(field(page, "TLS Port")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toHaveCount(0);
  expect(await rowFor(OTHER_ADMIN)).toBeUndefined();
  await expect(page.getByTestId("settings-status")).toHaveText("Not set up");
});
