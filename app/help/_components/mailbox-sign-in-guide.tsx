// The "Connect by signing in" section of a provider guide (Microsoft 365, Outlook.com, Google), with a drawing of
// the provider's consent screen: what the admin sees, and what the app is allowed to do.
import Link from "next/link";
import { GuideSection, Highlight, ScreenMock } from "@/app/help/_components/guide";
import { OAUTH_PROVIDERS, type OAuthProviderId } from "@/lib/smtp/sign-in-providers";

const CONSENT: Record<OAuthProviderId, { address: string; permissions: string[] }> = {
  microsoft: {
    address: "login.microsoftonline.com",
    permissions: [
      "Send mail as you (SMTP.Send)",
      "Maintain access to data you have given it access to",
      "View your email address and basic profile",
    ],
  },
  google: {
    address: "accounts.google.com",
    permissions: [
      "Read, compose, send, and permanently delete all your email from Gmail",
      "See your primary Google Account email address",
    ],
  },
};

export function MailboxSignInGuide({ provider }: { provider: OAuthProviderId }) {
  const { label } = OAUTH_PROVIDERS[provider];
  const consent = CONSENT[provider];
  return (
    <GuideSection id="sign-in" title={`Connect with ${label} (sign in to the mailbox)`}>
      <ol className="list-decimal space-y-1 pl-5">
        <li>On the Finance email page, choose this provider and press Connect with {label}.</li>
        <li>
          Sign in as the mailbox that sends your finance mail (for example accounts@yourcompany.com), not as yourself.
        </li>
        <li>
          Review what the app asks for and accept. You come back to the page, which says Connected as that mailbox.
        </li>
        <li>Send a test email to prove it works.</li>
      </ol>
      <ScreenMock
        alt={`${label}'s permission screen: the app asks to ${consent.permissions.join("; ")}, with Accept and Cancel buttons.`}
        caption={`${label} asks you to approve the app (our drawing; the real screen may differ in detail).`}
        address={consent.address}
      >
        <p className="font-semibold text-slate-900">Finance Email Setup wants to</p>
        <ul className="mt-2 list-disc space-y-1 pl-5">
          {consent.permissions.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
        <p className="mt-3 flex gap-2">
          <span className="rounded-md px-2 py-1 ring-1 ring-slate-300">Cancel</span>
          <Highlight>Accept</Highlight>
        </p>
      </ScreenMock>
      <p>
        The app keeps no password: it holds the mailbox&apos;s sign-in, encrypted, and renews it itself. The sign-in
        ends when the mailbox&apos;s password changes, when someone withdraws the consent, by an administrator&apos;s
        policy, or after 90 days without use; the test result then says so, and <strong>Reconnect</strong> is the fix.
      </p>
      {provider === "google" && (
        <p>
          <strong>Which to choose?</strong> An app password is the default for Google and works for any account with
          2-Step Verification. Signing in is offered when the operator of this service has set it up, and is the way
          when a Workspace administrator has turned app passwords off.
        </p>
      )}
      {provider === "microsoft" && (
        <p>
          If your organisation lets only administrators approve apps, a Microsoft 365 administrator must grant consent
          first. Mail is still sent over SMTP, so SMTP AUTH must be on for the mailbox (see{" "}
          <Link className="text-brand-700 underline" href="/help/troubleshooting#microsoft-smtp-auth-disabled">
            SMTP AUTH is disabled
          </Link>
          ).
        </p>
      )}
      <p className="text-slate-600">
        Don&apos;t see the Connect button? The operator of this service has to register the app first:{" "}
        <Link className="text-brand-700 underline" href="/help/operators/oauth-apps">
          sign-in apps for operators
        </Link>
        .
      </p>
    </GuideSection>
  );
}
