import type { Metadata } from "next";
import { Callout, GuideArticle, GuideSection, Highlight, ScreenMock } from "@/app/help/_components/guide";
import { getPreset } from "@/lib/smtp/presets";
import { MailboxSignInGuide } from "@/app/help/_components/mailbox-sign-in-guide";

export const metadata: Metadata = { title: "Google Mail SMTP settings and app passwords" };

const gmail = getPreset("google-mail");
const alternative = gmail.alternatives[0];

export default function GoogleMailGuidePage() {
  return (
    <GuideArticle
      title="Google Mail (Gmail): SMTP settings and app passwords"
      intro="How to link a Google Mail account as your finance email account: the four settings to enter, and how to create the app password Google requires."
    >
      <GuideSection id="two-step-verification" title="Before you start: turn on 2-Step Verification">
        <Callout tone="warning" title="Important">
          <p>
            2-Step Verification must be set up and turned on for the Google account before it can be linked over SMTP.
            Without it, Google does not offer app passwords, and your usual Google password will be refused.
          </p>
        </Callout>
        <p>
          To check, open your Google Account, choose Security, and look for 2-Step Verification under &ldquo;Signing in
          to Google&rdquo;. Follow Google&rsquo;s steps to turn it on if it is off.
        </p>
      </GuideSection>

      <GuideSection id="settings" title="The four settings">
        <p>On the Finance email page, choose the provider Google Mail (Gmail), then check these four fields:</p>
        <table className="w-full border-collapse overflow-hidden rounded-lg border border-slate-200 bg-white text-left text-sm">
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">
                Field
              </th>
              <th scope="col" className="px-3 py-2 font-semibold">
                What to enter for Google Mail
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <tr id="server">
              <th scope="row" className="px-3 py-2 font-medium">
                Server
              </th>
              <td className="px-3 py-2">
                <code>{gmail.host}</code>
              </td>
            </tr>
            <tr id="port">
              <th scope="row" className="px-3 py-2 font-medium">
                TLS Port
              </th>
              <td className="px-3 py-2" data-testid="gmail-ports">
                <strong>{gmail.port} (recommended)</strong>, with Security STARTTLS; or {alternative.port}, with
                Security SSL/TLS
                {alternative.note ? ` (${alternative.note.replace(/\.$/, "").toLowerCase()})` : ""}.
              </td>
            </tr>
            <tr id="user">
              <th scope="row" className="px-3 py-2 font-medium">
                User
              </th>
              <td className="px-3 py-2">Your email address, written in full (for example name@gmail.com).</td>
            </tr>
            <tr id="password">
              <th scope="row" className="px-3 py-2 font-medium">
                Password
              </th>
              <td className="px-3 py-2">
                A unique{" "}
                <a href="#app-password" className="text-brand-700 underline">
                  app password
                </a>
                : the 16-character code Google makes for this app. It is <strong>not</strong> your usual Google
                password.
              </td>
            </tr>
          </tbody>
        </table>
        <ScreenMock
          alt="The Finance email form with Google Mail chosen: Server smtp.gmail.com, TLS Port 587, Security STARTTLS, User set to the email address, and the app password in Password."
          caption="The Finance email form filled in for Google Mail."
        >
          <div className="grid gap-2 sm:grid-cols-2">
            {[
              ["Provider", "Google Mail (Gmail)"],
              ["Server", gmail.host],
              ["TLS Port", String(gmail.port)],
              ["Security", "STARTTLS"],
              ["User", "name@gmail.com"],
              ["Password", "•••• •••• •••• ••••"],
            ].map(([label, value]) => (
              <div key={label}>
                <p className="text-[11px] font-medium text-slate-500">{label}</p>
                <p className="rounded border border-slate-300 px-2 py-1">{value}</p>
              </div>
            ))}
          </div>
        </ScreenMock>
      </GuideSection>

      <GuideSection id="app-password" title="Create the app password">
        <p>
          The Password for this app is an app password that you create once, just for Finance Email Setup. Use it only
          here.
        </p>
        <div className="rounded-lg border border-brand-100 bg-brand-50 p-4" data-testid="app-password-today">
          <p className="font-semibold text-slate-900">The quick way, as Google shows it today</p>
          <ol className="mt-2 list-decimal space-y-1 pl-5">
            <li>
              Open{" "}
              <a className="text-brand-700 underline" href="https://myaccount.google.com/apppasswords" rel="noreferrer">
                myaccount.google.com/apppasswords
              </a>{" "}
              and sign in.
            </li>
            <li>
              Type a name in the one <strong>App name</strong> box, for example &ldquo;Finance Email Setup&rdquo;,
              and select <strong>Create</strong>.
            </li>
            <li>Copy the 16-character password it shows into the Password field here.</li>
          </ol>
          <p className="mt-2 text-sm text-slate-600">
            Some accounts still show the older screens. The steps below go through them.
          </p>
        </div>
        <ol className="list-decimal space-y-4 pl-5">
          <li>
            Go to your Google Account at{" "}
            <a className="text-brand-700 underline" href="https://myaccount.google.com/" rel="noreferrer">
              myaccount.google.com
            </a>
            , sign in, and select <strong>Security</strong> in the menu.
            <ScreenMock
              address="myaccount.google.com"
              alt="Google Account page with the menu on the left: Home, Personal info, Data and privacy, Security (highlighted), People and sharing."
              caption="Step 1: in your Google Account, choose Security."
            >
              <div className="flex gap-4">
                <ul className="space-y-2">
                  <li>Home</li>
                  <li>Personal info</li>
                  <li>Data &amp; privacy</li>
                  <li>
                    <Highlight>Security</Highlight>
                  </li>
                  <li>People &amp; sharing</li>
                </ul>
                <div className="flex-1 rounded bg-slate-50 p-3 text-slate-500">Welcome, Name</div>
              </div>
            </ScreenMock>
          </li>
          <li>
            Under <strong>&ldquo;Signing in to Google&rdquo;</strong>, select <strong>App passwords</strong>. If you do
            not see it, read{" "}
            <a href="#missing-app-passwords" className="text-brand-700 underline">
              why the option may be missing
            </a>
            .
            <ScreenMock
              address="myaccount.google.com/security"
              alt="The Security page, section Signing in to Google, listing Password, 2-Step Verification (On) and App passwords (highlighted)."
              caption="Step 2: under Signing in to Google, choose App passwords."
            >
              <p className="font-semibold text-slate-900">Signing in to Google</p>
              <ul className="mt-2 divide-y divide-slate-100">
                <li className="py-1.5">Password</li>
                <li className="py-1.5">
                  2-Step Verification <span className="text-emerald-700">On</span>
                </li>
                <li className="py-1.5">
                  <Highlight>App passwords</Highlight>
                </li>
              </ul>
            </ScreenMock>
          </li>
          <li>
            In the <strong>Select app</strong> box, choose <strong>&ldquo;Other (custom name)&rdquo;</strong>.
            <ScreenMock
              alt="The Select app list open, with Mail, Calendar, Contacts and Other (custom name) highlighted."
              caption="Step 3: in Select app, choose Other (custom name)."
            >
              <p className="text-[11px] font-medium text-slate-500">Select app</p>
              <ul className="mt-1 w-56 rounded border border-slate-300 shadow-sm">
                <li className="px-2 py-1">Mail</li>
                <li className="px-2 py-1">Calendar</li>
                <li className="px-2 py-1">Contacts</li>
                <li className="px-2 py-1">
                  <Highlight>Other (custom name)</Highlight>
                </li>
              </ul>
            </ScreenMock>
          </li>
          <li>
            Enter a name you will recognise, such as <em>Finance Email Setup</em>, and click <strong>Generate</strong>.
            <ScreenMock
              alt="A text box containing Finance Email Setup next to a highlighted Generate button."
              caption="Step 4: name it and click Generate."
            >
              <div className="flex items-center gap-3">
                <span className="w-56 rounded border border-slate-300 px-2 py-1">Finance Email Setup</span>
                <Highlight>Generate</Highlight>
              </div>
            </ScreenMock>
          </li>
          <li>
            Google shows your app password: the <strong>16-character code in the yellow bar</strong>. Copy it into the
            Password field on the Finance email page. Spaces do not matter; we remove them.
            <ScreenMock
              alt="The Generated app password dialog: a yellow bar containing a 16-character code in four groups of four letters, and a Done button."
              caption="Step 5: copy the 16-character code from the yellow bar."
            >
              <p className="font-semibold text-slate-900">Generated app password</p>
              <p className="mt-2 inline-block rounded bg-yellow-200 px-3 py-2 font-mono text-base tracking-widest text-slate-900">
                abcd efgh ijkl mnop
              </p>
              <p className="mt-2 text-slate-500">Your app password for your device</p>
            </ScreenMock>
          </li>
        </ol>
        <p>
          Save the settings, then choose <strong>Send test email</strong> to check that Google accepts them.
        </p>
      </GuideSection>

      <GuideSection id="missing-app-passwords" title="If you don't see App passwords">
        <p>
          Google no longer links it from the Security page for every account: open{" "}
          <a className="text-brand-700 underline" href="https://myaccount.google.com/apppasswords" rel="noreferrer">
            myaccount.google.com/apppasswords
          </a>{" "}
          directly. If that page says the setting is not available, the option may be missing because:
        </p>
        <ol className="list-decimal space-y-1 pl-5" data-testid="missing-reasons">
          <li>2-Step Verification is not set up for your account.</li>
          <li>2-Step Verification is only set up for security keys.</li>
          <li>
            Your account is through work, school, or another organisation (its administrator may have turned app
            passwords off).
          </li>
          <li>You turned on Advanced Protection.</li>
        </ol>
      </GuideSection>

      <GuideSection id="revoked" title="If you change your Google password">
        <Callout tone="warning" title="App passwords are revoked when you change your Google Account password">
          <p>
            After a password change, create a new app password as above and enter it in the Password field on the
            Finance email page, then save and send a test email.
          </p>
        </Callout>
      </GuideSection>

      <MailboxSignInGuide provider="google" />
    </GuideArticle>
  );
}
