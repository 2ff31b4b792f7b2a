import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PRESETS } from "@/lib/smtp/presets";

const securityLabel = (s: string) => (s === "ssl" ? "SSL/TLS" : "STARTTLS");

export function generateStaticParams() {
  return PRESETS.map((p) => ({ slug: p.helpSlug }));
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const { slug } = await params;
  const preset = PRESETS.find((p) => p.helpSlug === slug);
  return { title: preset ? `${preset.name} SMTP settings` : "Help" };
}

export default async function ProviderGuidePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const preset = PRESETS.find((p) => p.helpSlug === slug);
  if (!preset) notFound();
  const google = preset.id === "google-mail" || preset.id === "google-workspace";
  return (
    <article className="prose-sm space-y-6 text-slate-800">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{preset.name} SMTP settings</h1>
        <p className="mt-1 text-sm text-slate-600">The four fields to fill in: Server, TLS Port, User and Password.</p>
      </header>
      {google && (
        <section id="two-step-verification" className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm">
          <h2 className="font-semibold">Important: turn on 2-Step Verification first</h2>
          <p className="mt-1">
            Google only offers app passwords when 2-Step Verification is set up and turned on for the account.
          </p>
        </section>
      )}
      <section id="server">
        <h2 className="text-lg font-semibold text-slate-900">Server</h2>
        <p className="text-sm">{preset.host ? <code>{preset.host}</code> : "The SMTP server name your provider gives you, like smtp.example.com."}</p>
      </section>
      <section id="port">
        <h2 className="text-lg font-semibold text-slate-900">TLS Port and Security</h2>
        {preset.host ? (
          <ul className="list-disc pl-5 text-sm">
            <li>
              {preset.port} with {securityLabel(preset.security)} (recommended)
            </li>
            {preset.alternatives.map((a) => (
              <li key={`${a.host}:${a.port}`}>
                or {a.port} with {securityLabel(a.security)}
                {a.host !== preset.host ? ` on ${a.host}` : ""}
                {a.note ? `: ${a.note}` : ""}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm">Port 465 uses SSL/TLS from the first byte; 587 (and 25, 2525) use STARTTLS.</p>
        )}
      </section>
      <section id="user">
        <h2 className="text-lg font-semibold text-slate-900">User</h2>
        <p className="text-sm">{preset.userHint}</p>
      </section>
      <section id="password">
        <h2 className="text-lg font-semibold text-slate-900">Password</h2>
        <p className="text-sm">{preset.passwordHint}</p>
        {preset.requirements.length > 0 && (
          <ul className="mt-2 list-disc pl-5 text-sm">
            {preset.requirements.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
      </section>
      {google && (
        <section id="app-password">
          <h2 className="text-lg font-semibold text-slate-900">Create an app password</h2>
          <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm">
            <li>Go to your Google Account (myaccount.google.com) and choose Security.</li>
            <li>Under &ldquo;Signing in to Google&rdquo;, choose App passwords.</li>
            <li>In Select app, choose &ldquo;Other (custom name)&rdquo;, enter a name such as Finance Email Setup, and choose Generate.</li>
            <li>Copy the 16-character code shown in the yellow bar and paste it into Password here.</li>
          </ol>
          <p className="mt-2 text-sm">
            App passwords are revoked when you change your Google Account password: then create a new one and enter it here.
          </p>
        </section>
      )}
    </article>
  );
}
