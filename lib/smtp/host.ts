// Server names as the form and the schema understand them. No zod here: the form imports this in the browser.
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isHostname(value: string): boolean {
  const name = value.replace(/\.$/, "");
  return name.length > 0 && name.length <= 253 && name.split(".").every((label) => LABEL_RE.test(label));
}

/** "smtp.example.com:587" → { host, port }, so the form can offer to split it in one click; null when it is not that shape. */
export function splitHostPort(value: string): { host: string; port: number } | null {
  const match = /^([^\s:/]+):(\d{1,5})$/.exec(value.trim());
  if (!match) return null;
  const port = Number(match[2]);
  if (!isHostname(match[1]) || port < 1 || port > 65535) return null;
  return { host: match[1].toLowerCase().replace(/\.$/, ""), port };
}
