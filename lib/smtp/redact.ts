// Server replies are shown to people and stored: remove anything secret-like first.
const REDACTED = "[redacted]";

/** Replaces the given secrets (and their base64 forms, as AUTH sends them) and long base64 runs. */
export function redactReply(text: string, secrets: (string | undefined | null)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    const forms = [secret, Buffer.from(secret).toString("base64")];
    for (const form of forms) out = out.split(form).join(REDACTED);
  }
  // AUTH PLAIN/LOGIN payloads and tokens: 24+ base64 characters in one run with a digit or +/ in it (so long
  // words such as SmtpClientAuthentication stay readable), not part of a URL or host name.
  out = out.replace(/(?<![\w./:-])(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{24,}={0,2}(?![\w.-])/g, REDACTED);
  return out.slice(0, 2000);
}

export const NOT_SMTP_REPLY = "The server did not answer like an SMTP server.";

/** An SMTP reply starts with a three-digit code; anything else (a web server, an SSH banner) is never shown. */
export function isSmtpReply(text: string): boolean {
  return /^[1-5]\d\d(?:[ -]|\r?\n|$)/.test(text.trimStart());
}
