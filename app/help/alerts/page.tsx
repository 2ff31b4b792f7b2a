import type { Metadata } from "next";
import Link from "next/link";
import { Callout, GuideArticle, GuideSection } from "@/app/help/_components/guide";
import { WEBHOOK_VERIFY_SAMPLE } from "@/lib/help/webhook-verify-sample";

export const metadata: Metadata = { title: "Alerts when finance email stops working" };

/** How the watch works for an organisation, and how to receive its webhook. */
export default function AlertsGuidePage() {
  return (
    <GuideArticle
      title="Alerts when finance email stops working"
      intro="The most common way finance mail breaks is silent: someone changes the Google password, the app password is revoked, and invoices stop going out. This service signs in to your account on a schedule and tells owners and admins the moment it stops working, with the one thing to do."
    >
      <GuideSection id="what-is-checked" title="What is checked, and how often">
        <p>
          Every few hours (every 6 hours unless the operator of this service chose otherwise) the service connects to
          your mail server, starts TLS, signs in with the saved password or the connected mailbox, and says goodbye. No
          email is sent and nobody receives anything. A check also runs 2 minutes after every save.
        </p>
        <p className="mt-2">
          A refused password or sign-in counts as failing at once. A server that does not answer, or refuses the
          connection, counts as failing only when two checks in a row fail, because networks have short blips.
        </p>
      </GuideSection>

      <GuideSection id="who-is-told" title="Who is told, and how">
        <ul className="list-disc space-y-1 pl-5">
          <li>
            A red banner on every page for owners and admins, with what broke and a Fix it button that goes straight to
            the field to change or the Reconnect button.
          </li>
          <li>
            An email to each owner and admin: what broke, since when, and a link to the page. Each person can turn their
            own alert emails off under Finance email → Alerts.
          </li>
          <li>Optionally, a webhook: Slack, Microsoft Teams or your own system.</li>
          <li>
            One alert per failure, then a reminder every 24 hours while it lasts (or every 72, or none: your choice in
            the Alerts section), and a notice when it works again.
          </li>
        </ul>
        <Callout title="Remember">
          Until the account is fixed, every invoice, statement and receipt sent with these settings fails, by this
          service or by any other system that uses the same account.
        </Callout>
      </GuideSection>

      <GuideSection id="webhook" title="Receiving alerts by webhook">
        <ol className="list-decimal space-y-1 pl-5">
          <li>
            Slack: create an incoming webhook for the channel (Slack app directory → Incoming WebHooks). Microsoft
            Teams: a workflow &ldquo;Post to a channel when a webhook request is received&rdquo;. Copy the HTTPS address
            it gives.
          </li>
          <li>
            On the{" "}
            <Link href="/settings/email/alerts" className="text-brand-700 underline">
              Finance email → Alerts
            </Link>
            , Webhook URL → Set webhook. Only public HTTPS addresses on the standard port (443) are accepted.
          </li>
          <li>Copy the signing secret shown once, if your system will check signatures.</li>
          <li>Press Send a test alert: it arrives at once, and the page says whether the webhook accepted it.</li>
        </ol>
        <p className="mt-2">
          Each alert is a JSON POST with <code>event</code> (<code>account.failing</code>, <code>account.reminder</code>
          , <code>account.recovered</code>, or <code>alert.test</code>), <code>organisation</code> (<code>id</code>,{" "}
          <code>name</code>), <code>diagnosis</code> (<code>id</code>, <code>title</code>), <code>since</code>,{" "}
          <code>page</code> and <code>text</code>, a ready-made message that Slack and Teams show as it is. Answer with
          a 2xx status within 10 seconds; anything else counts as failed. A webhook that fails is tried again, less and
          less often, for 24 hours; the Alerts section lists every delivery and whether your endpoint accepted it
          (connection details stay with the operator of this service).
        </p>
      </GuideSection>

      <GuideSection id="signature" title="Checking the signature">
        <p>
          Every request carries three headers: <code>X-Webhook-Id</code>, the delivery&apos;s id (the same on every
          retry of one alert), <code>X-Webhook-Timestamp</code>, when it was sent (Unix seconds), and{" "}
          <code>X-Signature-256: sha256=&lt;hex&gt;</code>, the HMAC-SHA256 with your signing secret of{" "}
          <code>&lt;timestamp&gt;.&lt;id&gt;.&lt;body&gt;</code>. Compute it over the raw body, before parsing the JSON,
          compare in constant time, and refuse a request more than 5 minutes old, so a copied request cannot be sent to
          you again later:
        </p>
        {/* Focusable, so a keyboard can scroll its long lines. */}
        <pre
          tabIndex={0}
          role="region"
          aria-label="Checking the signature in Node.js"
          className="mt-2 overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100"
        >
          <code data-testid="verify-sample">{WEBHOOK_VERIFY_SAMPLE}</code>
        </pre>
        <p className="mt-2">
          To refuse a repeat within those 5 minutes as well, remember the ids you have accepted for 5 minutes and drop a
          request whose id you have seen: that also ignores a retry of an alert you already have.
        </p>
        <p className="mt-2">Setting the webhook again makes a new secret; the old one stops working at once.</p>
      </GuideSection>

      <GuideSection id="operators" title="For the operator of this service">
        <p>
          Alert emails go through the service&apos;s own mail account: <code>SYSTEM_MAIL_URL</code> and{" "}
          <code>SYSTEM_MAIL_FROM</code> (prove it with <code>npm run mail:test -- --to you@example.com</code>). Without
          it, alerts are shown in the app and sent to webhooks only. <code>ACCOUNT_CHECK_INTERVAL_MINUTES</code> sets
          how often accounts are checked, <code>CHECK_CONCURRENCY</code> how many at once per instance, and{" "}
          <code>WORKER=off</code> keeps a web instance from running checks (then run <code>npm run worker</code>).{" "}
          <code>APP_URL</code> is the address the alerts link to. Webhooks go to public addresses on port 443 only;{" "}
          <code>WEBHOOK_ALLOW_PRIVATE_NETWORKS</code> and <code>WEBHOOK_ALLOWED_PORTS</code> change that for a receiver
          inside your own network (<code>SMTP_ALLOW_PRIVATE_NETWORKS</code> is for mail relays and does not apply).
        </p>
      </GuideSection>
    </GuideArticle>
  );
}
