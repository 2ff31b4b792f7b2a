// Which ports a test send may connect to: mail ports only, so it cannot be used to scan the host's network.
// SMTP_ALLOWED_PORTS changes the list for on-premises relays: comma-separated ports, or ranges like 1025-2000.
import { UserFacingError } from "../errors";

export const DEFAULT_MAIL_PORTS = [25, 465, 587, 2525] as const;

export type MailPorts = { ports: number[]; ranges: [number, number][] };

export const DEFAULT_MAIL_PORT_RULE: MailPorts = { ports: [...DEFAULT_MAIL_PORTS], ranges: [] };

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** Parses SMTP_ALLOWED_PORTS; null when any entry is not a port or a range of ports. */
export function parseMailPorts(text: string | undefined): MailPorts | null {
  if (text === undefined || text.trim() === "") return DEFAULT_MAIL_PORT_RULE;
  const rule: MailPorts = { ports: [], ranges: [] };
  for (const entry of text.split(",").map((e) => e.trim())) {
    const range = /^(\d{1,5})-(\d{1,5})$/.exec(entry);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (!isPort(from) || !isPort(to) || from > to) return null;
      rule.ranges.push([from, to]);
    } else if (/^\d{1,5}$/.test(entry) && isPort(Number(entry))) {
      rule.ports.push(Number(entry));
    } else {
      return null;
    }
  }
  return rule;
}

export function isMailPortAllowed(rule: MailPorts, port: number): boolean {
  return rule.ports.includes(port) || rule.ranges.some(([from, to]) => port >= from && port <= to);
}

/** The TLS Port field's message for a port that is not allowed, naming the ones that are. */
export function mailPortMessage(rule: MailPorts): string {
  const names = [...rule.ports.map(String), ...rule.ranges.map(([from, to]) => `${from}-${to}`)];
  const list = names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names[0];
  return `Use a mail port: ${list}. Other ports are not allowed here.`;
}

/** A port outside the allowed mail ports is refused at the TLS Port field, naming the allowed ones. */
export function assertMailPort(allowed: MailPorts, port: number) {
  if (!isMailPortAllowed(allowed, port)) throw new UserFacingError(mailPortMessage(allowed), "port");
}
