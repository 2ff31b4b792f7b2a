// Which ports a test send may connect to: mail ports only, so it cannot be used to scan the host's network.
// SMTP_ALLOWED_PORTS changes the list for on-premises relays: comma-separated ports, or ranges like 1025-2000.
import { UserFacingError } from "../errors";
import { describePorts, isPortAllowed, parsePortRule, type PortRule } from "../net/ports";

export const DEFAULT_MAIL_PORTS = [25, 465, 587, 2525] as const;

export type MailPorts = PortRule;

export const DEFAULT_MAIL_PORT_RULE: MailPorts = { ports: [...DEFAULT_MAIL_PORTS], ranges: [] };

/** Parses SMTP_ALLOWED_PORTS; null when any entry is not a port or a range of ports. */
export function parseMailPorts(text: string | undefined): MailPorts | null {
  return parsePortRule(text, DEFAULT_MAIL_PORT_RULE);
}

export const isMailPortAllowed = isPortAllowed;

/** The TLS Port field's message for a port that is not allowed, naming the ones that are. */
export function mailPortMessage(rule: MailPorts): string {
  return `Use a mail port: ${describePorts(rule)}. Other ports are not allowed here.`;
}

/** A port outside the allowed mail ports is refused at the TLS Port field, naming the allowed ones. */
export function assertMailPort(allowed: MailPorts, port: number) {
  if (!isMailPortAllowed(allowed, port)) throw new UserFacingError(mailPortMessage(allowed), "port");
}
