// The troubleshooting guide: one entry per diagnosis the test-send can give (lib/smtp/diagnose.ts),
// keyed by the same id, which is also the section's anchor on /help/troubleshooting.
import type { DiagnosisId } from "../smtp/diagnose";

export type TroubleshootingEntry = { title: string; meaning: string; steps: string[] };

export const TROUBLESHOOTING: Record<DiagnosisId, TroubleshootingEntry> = {
  "google-app-password-required": {
    title: "Google says an application-specific password is required (534 5.7.9)",
    meaning: "The regular Google account password was entered. Google does not accept it for SMTP.",
    steps: [
      "Turn on 2-Step Verification for the Google account.",
      "Create an app password: Google Account → Security → Signing in to Google → App passwords.",
      "Enter the 16-letter app password as the Password here (spaces do not matter) and save.",
    ],
  },
  "bad-credentials": {
    title: "Username and password not accepted (535 5.7.8)",
    meaning: "The server rejected the User or the Password.",
    steps: [
      "Check that User is the full email address of the account.",
      "Google app passwords are revoked whenever the Google account password changes: create a new one and enter it here.",
      "For other providers, check whether they need an app password or SMTP credentials rather than the mailbox password.",
    ],
  },
  "microsoft-smtp-auth-disabled": {
    title: "Microsoft 365: SMTP AUTH is disabled (5.7.139 or 5.7.57)",
    meaning:
      "Microsoft has authenticated SMTP turned off for the mailbox or for the whole organisation (tenant). This applies to a mailbox connected by signing in too: it still sends over SMTP.",
    steps: [
      "A Microsoft 365 administrator opens the admin center → Users → Active users → the mailbox → Mail → Manage email apps, and ticks Authenticated SMTP.",
      "Or in Exchange Online PowerShell: Set-CASMailbox -Identity finance@yourcompany.com -SmtpClientAuthenticationDisabled $false",
      "If SMTP AUTH is disabled for the whole organisation, they must allow it in the Exchange Online settings first.",
      "Changes can take up to an hour to apply; then test again.",
    ],
  },
  "ssl-on-starttls-port": {
    title: "SSL/TLS chosen on a STARTTLS port (wrong version number)",
    meaning:
      "The server on this port starts in plain text and upgrades with STARTTLS, but the app was told to start with TLS.",
    steps: [
      "Set Security to STARTTLS (the test result offers this as one click).",
      "Port 587 almost always means STARTTLS.",
    ],
  },
  "starttls-on-ssl-port": {
    title: "STARTTLS chosen on an SSL/TLS port (no greeting on 465)",
    meaning: "Port 465 expects encryption from the first byte, so the server waits silently for a TLS handshake.",
    steps: ["Set Security to SSL/TLS (the test result offers this as one click), or use port 587 with STARTTLS."],
  },
  "connection-refused": {
    title: "Connection refused",
    meaning: "The server exists but nothing accepts connections on that port.",
    steps: [
      "Check the TLS Port: usually 587 (STARTTLS) or 465 (SSL/TLS).",
      "Check the Server name against your provider's documentation.",
    ],
  },
  "host-not-found": {
    title: "Server name not found",
    meaning: "No server has the name entered in Server. Often a typing mistake.",
    steps: [
      "Copy the server name from your provider's settings page.",
      "If the test suggests a similar known server (such as smtp.gmail.com), use it.",
    ],
  },
  "provider-unreachable": {
    title: "The app could not reach your provider",
    meaning:
      "The Server is your provider's own (for example smtp.gmail.com), so the name is right, but the app's server could not look it up. The fault is on the app's side (its network or name servers) or a passing outage.",
    steps: [
      "Change nothing in your settings: the app checks the account again by itself.",
      "If it keeps failing for more than an hour, tell the people who run this app.",
    ],
  },
  "blocked-address": {
    title: "Server on a private network",
    meaning:
      "The server name points to a private, loopback or link-local address. For safety, this hosted service only connects to public mail servers.",
    steps: [
      "Use your provider's public SMTP server name.",
      "For an on-premises relay, the administrator of this app can allow private networks with SMTP_ALLOW_PRIVATE_NETWORKS=true.",
    ],
  },
  timeout: {
    title: "No answer (timeout)",
    meaning: "The server did not answer in time. Firewalls often block outgoing mail ports 25, 465 and 587.",
    steps: [
      "Check the Server and TLS Port.",
      "Try the provider's other port: 587 with STARTTLS, or 465 with SSL/TLS.",
      "Ask your network administrator whether outgoing connections to that port are allowed.",
    ],
  },
  "certificate-untrusted": {
    title: "Certificate not trusted",
    meaning:
      "The server's TLS certificate is self-signed, expired or issued by an unknown authority, so the connection was stopped to protect your password.",
    steps: [
      "Check the Server name: a provider's real server has a trusted certificate.",
      "For your own server with a private certificate authority, the administrator of this app can trust it with NODE_EXTRA_CA_CERTS.",
    ],
  },
  "certificate-wrong-host": {
    title: "Certificate is for another name",
    meaning: "The server's certificate does not include the name entered in Server.",
    steps: [
      "Use the exact server name your provider documents, not an IP address or alias.",
      "If you run the server, add this name to its certificate.",
    ],
  },
  "auth-required": {
    title: "Authentication required (530 5.7.0)",
    meaning: "The server only sends mail for signed-in accounts, and the connection was not signed in.",
    steps: [
      "Fill in User and Password.",
      "Use STARTTLS or SSL/TLS: many servers only offer sign-in on an encrypted connection.",
    ],
  },
  "sending-limit": {
    title: "Daily sending limit exceeded (550 5.4.5)",
    meaning: "The provider accepted the account but refuses to send more mail for now.",
    steps: [
      "Wait for the limit to reset (Google counts a rolling 24 hours).",
      "For larger volumes, use a business plan or a sending service such as Amazon SES, SendGrid, Mailgun or Postmark.",
    ],
  },
  "recipient-refused": {
    title: "Recipient refused",
    meaning: "The server accepted the account but refused the address in Send to.",
    steps: ["Check the Send to address for typos.", "Send the test to another address you control."],
  },
  "message-too-large": {
    title: "Message too large",
    meaning: "The server refused the message because of its size.",
    steps: ["Keep attachments small, or link to large documents instead of attaching them."],
  },
  "saved-password-unreadable": {
    title: "Saved password cannot be read",
    meaning:
      "The stored password was encrypted with a key this server does not have (for example after moving servers or changing SETTINGS_ENCRYPTION_KEY).",
    steps: [
      "Enter the password again, save, and test.",
      "Administrators: keep the old key in SETTINGS_ENCRYPTION_KEYS_OLD until `npm run keys:rotate` has run.",
    ],
  },
  "gmail-unauthenticated": {
    title: "Gmail: unauthenticated email is not accepted (550 5.7.26)",
    meaning:
      "Since 2024 Gmail refuses mail whose From domain does not pass SPF or DKIM in alignment with DMARC. The account works; the domain's DNS does not vouch for the provider that sent it.",
    steps: [
      "Open the Finance email page: the Deliverability card checks the From domain and lists each record to add or change, with Copy buttons.",
      "Add them at your domain's DNS host (where the domain was bought, or Cloudflare, or your IT provider). Change an existing SPF record rather than adding a second one.",
      "Wait for DNS to spread (minutes to a few hours), press Check again on the card, then send another test.",
    ],
  },
  "outlook-unauthenticated": {
    title: "Outlook.com: the sending domain is not authenticated (550 5.7.515)",
    meaning:
      "Since May 2025 Outlook.com, Hotmail and Live refuse mail from high-volume senders whose From domain does not pass SPF, DKIM and DMARC.",
    steps: [
      "Open the Finance email page: the Deliverability card lists the SPF, DKIM and DMARC records your domain needs for your provider.",
      "Publish them at your domain's DNS host; keep one SPF record.",
      "Press Check again on the card once DNS has spread, then send another test.",
    ],
  },
  "other-reply": {
    title: "Any other server reply",
    meaning:
      "The server answered with an error this guide does not list. The test result shows its exact reply (with anything secret removed).",
    steps: [
      "Check each setting against your provider's documentation.",
      "Send the reply text to your email provider's support: it names the reason.",
    ],
  },
  "mailbox-sign-in-expired": {
    title: "The mailbox's sign-in expired or was revoked (invalid_grant, AADSTS50173, AADSTS700082)",
    meaning:
      "The app sends as a mailbox connected by signing in. That sign-in ends when the mailbox's password changes, when someone withdraws the app's consent, by an administrator's policy, or after 90 days without use.",
    steps: [
      "On the Finance email page, press Reconnect and sign in to the mailbox again.",
      "Send a test email to confirm.",
    ],
  },
  "mailbox-consent-needed": {
    title: "An administrator must approve the app (AADSTS65001, AADSTS90094)",
    meaning: "The mailbox's Microsoft 365 organisation lets only administrators approve apps that send mail.",
    steps: [
      "A Microsoft 365 administrator opens the Entra admin center → Enterprise applications → this app → Permissions, and grants admin consent (the permission is SMTP.Send).",
      "Then press Reconnect on the Finance email page.",
    ],
  },
  "mailbox-app-unknown": {
    title: "The app is not known in the mailbox's organisation (AADSTS700016)",
    meaning: "Microsoft could not find the app registration for the mailbox's tenant.",
    steps: [
      "The operator of this service registers the app for accounts in any organisational directory (see Help → For operators: sign-in apps).",
      "An administrator of your organisation approves it; then press Reconnect.",
    ],
  },
  "send-as-denied": {
    title: "Not allowed to send as this address (5.7.60 SendAsDenied)",
    meaning: "Microsoft 365 sends only as the signed-in mailbox or an address it has Send As permission for.",
    steps: [
      "Leave From address blank to send as the mailbox itself, or",
      "a Microsoft 365 administrator gives the mailbox Send As permission for the From address: Exchange admin center → Recipients → Mailboxes → that address → Delegation → Send As.",
    ],
  },
  "mailbox-token-rejected": {
    title: "The mail server rejected the mailbox's sign-in (535 5.7.3, or 535 5.7.8 after XOAUTH2)",
    meaning:
      "The sign-in token was refused by the SMTP server: it was revoked, or User is not the mailbox that signed in.",
    steps: [
      "Press Reconnect and sign in to the mailbox that sends the finance mail.",
      "Check that User is that mailbox's address.",
    ],
  },
};
