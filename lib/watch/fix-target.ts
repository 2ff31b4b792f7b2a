// Where "Fix it" goes for a failing account: the one field or button that puts it right, on the Finance email page.
import type { DiagnosisId } from "../smtp/diagnose";

const PAGE = "/settings/email";

export function fixTarget(diagnosisId: string | null | undefined): {
  href: string;
  label: string;
  /** The button's own words when there is nothing for the person to fix (the fault is on the app's side). */
  button?: string;
} {
  switch (diagnosisId as DiagnosisId | null | undefined) {
    case "provider-unreachable":
      return {
        href: "/help/troubleshooting#provider-unreachable",
        label: "what happens next",
        button: "What this means",
      };
    case "bad-credentials":
    case "google-app-password-required":
    case "auth-required":
    case "saved-password-unreadable":
      return { href: `${PAGE}#field-password`, label: "Enter a new password" };
    case "microsoft-smtp-auth-disabled":
    case "mailbox-sign-in-expired":
    case "mailbox-consent-needed":
    case "mailbox-app-unknown":
    case "mailbox-token-rejected":
      return { href: `${PAGE}#mailbox-sign-in`, label: "Reconnect the mailbox" };
    case "host-not-found":
    case "connection-refused":
    case "timeout":
    case "blocked-address":
    case "certificate-untrusted":
    case "certificate-wrong-host":
    case "ssl-on-starttls-port":
    case "starttls-on-ssl-port":
      return { href: `${PAGE}#field-host`, label: "Check the server" };
    case "send-as-denied":
      return { href: `${PAGE}#field-fromAddress`, label: "Check the From address" };
    default:
      return { href: PAGE, label: "Open the settings" };
  }
}
