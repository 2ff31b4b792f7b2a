// The list of help guides, for the /help index and its search. Provider guides come from the presets table.
import { PRESETS } from "../smtp/presets";

export const HELP_LAST_REVIEWED = "2026-11-25";

export type GuideSummary = { href: string; title: string; summary: string; keywords: string };

export function helpGuides(): GuideSummary[] {
  const providers = PRESETS.map((p) => ({
    href: `/help/${p.helpSlug}`,
    title: p.id === "custom" ? "Any other SMTP server" : `${p.name} SMTP settings`,
    summary: p.host
      ? `${p.host}, port ${p.port}. ${p.passwordHint}`
      : "Server, port, security, user and password for any provider.",
    keywords: [
      p.name,
      p.host,
      p.passwordKind.replace("-", " "),
      p.passwordHint,
      p.userHint,
      ...p.requirements,
      ...p.mailboxDomains,
    ].join(" "),
  }));
  return [
    ...providers,
    {
      href: "/help/operators/oauth-apps",
      title: "Sign-in apps for Microsoft and Google (for operators)",
      summary: "Register the apps that let organisations connect their mailboxes by signing in.",
      keywords:
        "operator oauth entra azure app registration client id secret redirect uri SMTP.Send consent google cloud verification",
    },
    {
      href: "/help/alerts",
      title: "Alerts when finance email stops working",
      summary: "What is checked and how often, who is told, and how to receive alerts in Slack, Teams or by webhook.",
      keywords:
        "alert alerts watch check schedule banner email reminder webhook slack teams signature hmac x-signature-256 x-webhook-id x-webhook-timestamp replay revoked app password",
    },
    {
      href: "/help/troubleshooting",
      title: "Troubleshooting test emails",
      summary: "What each test-send error means and what to do next.",
      keywords: "error failed timeout certificate refused password rejected 535 534 530 550 limit",
    },
  ];
}
