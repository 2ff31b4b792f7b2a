import type { Metadata } from "next";
import { Callout, GuideArticle, GuideSection } from "@/app/help/_components/guide";
import { OAUTH_PROVIDERS } from "@/lib/smtp/sign-in-providers";

export const metadata: Metadata = { title: "Sign-in apps for Microsoft and Google (for operators)" };

const microsoft = OAUTH_PROVIDERS.microsoft;
const google = OAUTH_PROVIDERS.google;

/** For whoever runs this service: registering the apps that let organisations connect mailboxes by signing in. */
export default function OAuthAppsGuidePage() {
  return (
    <GuideArticle
      title="Sign-in apps for Microsoft and Google (for operators)"
      intro="Whoever runs this service registers one app with Microsoft and, optionally, one with Google. Then every organisation using the service can press Connect with Microsoft or Connect with Google. Organisations do not do this themselves."
    >
      <Callout title="What the service needs from you">
        <ul className="list-disc pl-5">
          <li>
            <code>APP_URL</code>: the address people open the service at, like{" "}
            <code>https://finance-email.example.com</code> (required in production once a sign-in app is configured).
          </li>
          <li>
            <code>MICROSOFT_CLIENT_ID</code> and <code>MICROSOFT_CLIENT_SECRET</code> (and{" "}
            <code>MICROSOFT_AUTHORITY</code> only to restrict sign-in to one tenant, like{" "}
            <code>https://login.microsoftonline.com/&lt;tenant id&gt;/v2.0</code>; the default{" "}
            <code>{microsoft.defaultAuthority}</code> accepts work, school and personal accounts).
          </li>
          <li>
            <code>GOOGLE_CLIENT_ID</code> and <code>GOOGLE_CLIENT_SECRET</code> (<code>GOOGLE_AUTHORITY</code> defaults
            to <code>{google.defaultAuthority}</code>).
          </li>
        </ul>
      </Callout>

      <GuideSection id="microsoft" title="Microsoft: register an app in Microsoft Entra ID">
        <ol className="list-decimal space-y-1 pl-5">
          <li>Entra admin center → Identity → Applications → App registrations → New registration.</li>
          <li>
            Supported account types:{" "}
            <strong>Accounts in any organizational directory and personal Microsoft accounts</strong> (so that every
            organisation, and Outlook.com, can connect).
          </li>
          <li>
            Redirect URI: platform <strong>Web</strong>, <code>&lt;APP_URL&gt;/api/oauth/microsoft/callback</code>.
          </li>
          <li>
            API permissions → Add a permission → APIs my organization uses → <strong>Office 365 Exchange Online</strong>{" "}
            → Delegated → <strong>SMTP.Send</strong>. Also keep <code>offline_access</code>, <code>openid</code>,{" "}
            <code>email</code> and <code>profile</code> (Microsoft Graph, delegated). The service asks for:{" "}
            <code>{microsoft.scope}</code>.
          </li>
          <li>
            Certificates &amp; secrets → New client secret. Copy its value into <code>MICROSOFT_CLIENT_SECRET</code> and
            the Application (client) ID into <code>MICROSOFT_CLIENT_ID</code>.
          </li>
        </ol>
        <Callout tone="warning" title="Client secrets expire">
          <p>
            A client secret lasts at most 24 months. Write its expiry date in a reminder a month ahead: when it expires,
            no organisation can connect or renew, and every linked mailbox starts failing.
          </p>
        </Callout>
        <p>
          Organisations whose administrators require admin consent approve the app once in their own tenant (Enterprise
          applications → the app → Permissions → Grant admin consent). Sending still uses SMTP, so SMTP AUTH must be on
          for each mailbox.
        </p>
      </GuideSection>

      <GuideSection id="google" title="Google: create an OAuth client">
        <ol className="list-decimal space-y-1 pl-5">
          <li>Google Cloud console → APIs &amp; Services → OAuth consent screen.</li>
          <li>
            User type <strong>Internal</strong> if the service is only for your own Google Workspace (no verification
            needed), or <strong>External</strong> for everyone. The scope <code>https://mail.google.com/</code> is
            restricted: an external app needs Google&apos;s verification (and a security assessment) before strangers
            can use it.
          </li>
          <li>
            Add the scopes <code>{google.scope}</code>.
          </li>
          <li>
            Credentials → Create credentials → OAuth client ID → <strong>Web application</strong>, authorized redirect
            URI <code>&lt;APP_URL&gt;/api/oauth/google/callback</code>.
          </li>
          <li>
            Copy the client ID and secret into <code>GOOGLE_CLIENT_ID</code> and <code>GOOGLE_CLIENT_SECRET</code>.
          </li>
        </ol>
        <p>
          Until Google sign-in is set up, Google accounts link with an app password, which stays the documented default.
        </p>
      </GuideSection>
    </GuideArticle>
  );
}
