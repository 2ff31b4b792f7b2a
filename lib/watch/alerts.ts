// What an alert says, by email (through the operator's system mailer) and by webhook: one message per event
// (failing, reminder, recovered) with the diagnosis in its own words, since when, what else fails meanwhile and a
// link to the page. Built from the diagnosis and the organisation only: no setting that could hold a secret is read.
import "server-only";
import { formatDateTime } from "../format";
import type { Diagnosis } from "../smtp/diagnose";
import type { SystemMailConfig } from "../system-mail";
import { sendSystemMail } from "../system-mailer";

/** What an alert is about; domain.failing: the From domain's SPF or DMARC started failing; alert.test: the button's. */
export type AlertEvent = "account.failing" | "account.reminder" | "account.recovered" | "domain.failing" | "alert.test";

export type AlertDetails = {
  event: AlertEvent;
  /** timeZone: the IANA zone the alert's times are written in. */
  organisation: { id: string; name: string; timeZone: string };
  /** The diagnosis of the failing check (for recovered: the one that had been failing, if known). */
  diagnosis: Pick<Diagnosis, "id" | "title" | "advice"> | null;
  since: Date | null;
  /** The Finance email page, absolute. */
  pageUrl: string;
  /** domain.failing: the From domain and what now fails, in the Deliverability card's words. */
  deliverability?: { domain: string; problems: { check: "SPF" | "DMARC"; summary: string }[] };
};

export function alertContent(a: AlertDetails): { subject: string; text: string } {
  const org = a.organisation.name;
  const since = a.since && formatDateTime(a.since, a.organisation.timeZone);
  if (a.event === "alert.test") {
    return {
      subject: `Test alert for ${org}`,
      text: [
        `This is a test alert from Finance Email Setup for ${org}. It was sent on purpose, from the Alerts section: nothing is wrong.`,
        "If the finance email account starts failing, the alert will arrive here like this one.",
        "",
        `Finance email settings: ${a.pageUrl}`,
      ].join("\n"),
    };
  }
  if (a.event === "domain.failing" && a.deliverability) {
    const { domain, problems } = a.deliverability;
    return {
      subject: `Action needed: mail from ${domain} may be junked or refused (${org})`,
      text: [
        `The weekly check of ${domain}, the domain ${org}'s finance email is sent from, found a new problem:`,
        "",
        ...problems.map((p) => `- ${p.check}: ${p.summary}`),
        "",
        "Gmail, Yahoo and Outlook.com junk or refuse mail from domains that fail these checks, so invoices may not reach customers.",
        `The exact DNS record to publish is on the page: ${a.pageUrl}/deliverability`,
      ].join("\n"),
    };
  }
  if (a.event === "account.recovered") {
    return {
      subject: `Finance email works again for ${org}`,
      text: [
        `The finance email account of ${org} works again${since ? ` (it had been failing since ${since})` : ""}.`,
        "Finance mail can be sent again; nothing else needs doing.",
        "",
        `Finance email settings: ${a.pageUrl}`,
      ].join("\n"),
    };
  }
  const what = a.diagnosis ? `${a.diagnosis.title}.` : "The account's check failed.";
  return {
    subject: `${a.event === "account.reminder" ? "Still failing" : "Action needed"}: finance email for ${org} cannot send`,
    text: [
      `The finance email account of ${org} is failing${since ? ` since ${since}` : ""}.`,
      "",
      what,
      ...(a.diagnosis?.advice.map((line) => `- ${line}`) ?? []),
      "",
      "Until it is fixed, invoices, statements and receipts sent with these settings, by this app or by any other system that uses them, will not go out.",
      "",
      `Fix it here: ${a.pageUrl}`,
    ].join("\n"),
  };
}

/** Sends one alert to one person through the system mailer. */
export async function sendAlertEmail(mail: SystemMailConfig, to: string, alert: AlertDetails): Promise<void> {
  await sendSystemMail(mail, { to, ...alertContent(alert) });
}

/**
 * The webhook's JSON body. `text` is there so Slack and Teams incoming webhooks show the alert as it is; it is signed
 * when it is sent (./webhook-signature.ts), with the delivery's id and the time.
 */
export function webhookBody(alert: AlertDetails): string {
  const { subject, text } = alertContent(alert);
  return JSON.stringify({
    event: alert.event,
    organisation: { id: alert.organisation.id, name: alert.organisation.name },
    diagnosis: alert.diagnosis ? { id: alert.diagnosis.id, title: alert.diagnosis.title } : null,
    since: alert.since?.toISOString() ?? null,
    page: alert.pageUrl,
    ...(alert.deliverability ? { deliverability: alert.deliverability } : {}),
    text: `${subject}\n\n${text}`,
  });
}
