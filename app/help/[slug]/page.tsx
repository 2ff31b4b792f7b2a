import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Callout, GuideArticle, GuideSection } from "@/app/help/_components/guide";
import { PRESETS, type SmtpPreset } from "@/lib/smtp/presets";
import { oauthProviderForPreset } from "@/lib/smtp/sign-in-providers";
import { MailboxSignInGuide } from "@/app/help/_components/mailbox-sign-in-guide";

// Provider guides generated from the presets table, so the guide and the form cannot drift apart.
// Google Mail has its own, longer page (app/help/google-mail-smtp).
const GENERATED = PRESETS.filter((p) => p.helpSlug !== "google-mail-smtp");
const securityLabel = (s: string) => (s === "ssl" ? "SSL/TLS" : "STARTTLS");

export const dynamicParams = false;

export function generateStaticParams() {
  return GENERATED.map((p) => ({ slug: p.helpSlug }));
}

function presetFor(slug: string): SmtpPreset | undefined {
  return GENERATED.find((p) => p.helpSlug === slug);
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const preset = presetFor((await params).slug);
  return { title: preset ? `${preset.name} SMTP settings` : "Help" };
}

const PASSWORD_KIND_TEXT: Record<SmtpPreset["passwordKind"], string> = {
  "app-password": "an app password created for this app, not your usual password",
  "account-password": "the mailbox password",
  "api-key": "an API key from the provider",
  "smtp-credentials": "SMTP credentials created in the provider's console",
};

export default async function ProviderGuidePage({ params }: { params: Promise<{ slug: string }> }) {
  const preset = presetFor((await params).slug);
  if (!preset) notFound();
  const custom = preset.id === "custom";
  const signInProvider = oauthProviderForPreset(preset.id);
  return (
    <GuideArticle
      title={custom ? "Any other SMTP server" : `${preset.name} SMTP settings`}
      intro={
        custom
          ? "For a provider without a preset: your provider's documentation gives these four settings."
          : `Choose ${preset.name} as the Provider on the Finance email page: Server, TLS Port and Security are filled in for you.`
      }
    >
      {signInProvider === "microsoft" && <MailboxSignInGuide provider="microsoft" />}
      {preset.requirements.length > 0 && preset.id !== "outlook-com" && (
        <Callout tone="warning" title="Before you start">
          <ul className="list-disc pl-5">
            {preset.requirements.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </Callout>
      )}
      <GuideSection id="server" title="Server">
        <p>
          {custom ? (
            "The SMTP server name from your provider, like smtp.example.com: just the name, without https:// or a port."
          ) : (
            <code>{preset.host}</code>
          )}
        </p>
      </GuideSection>
      <GuideSection id="port" title="TLS Port and Security">
        {custom ? (
          <p>
            Port 465 uses SSL/TLS from the first byte; ports 587, 25 and 2525 use STARTTLS. 587 is the usual choice.
          </p>
        ) : (
          <ul className="list-disc pl-5" data-testid="guide-ports">
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
        )}
      </GuideSection>
      <GuideSection id="user" title="User">
        <p>{preset.userHint}</p>
      </GuideSection>
      <GuideSection id="password" title="Password">
        {preset.id === "outlook-com" ? (
          <p>
            Outlook.com no longer accepts passwords for sending mail over SMTP (it answers 535 5.7.139): connect by
            signing in instead.
          </p>
        ) : (
          <p>
            Use {PASSWORD_KIND_TEXT[preset.passwordKind]}. {preset.passwordHint}
          </p>
        )}
        {preset.id === "microsoft-365" && (
          <p>
            A password works only while SMTP AUTH is turned on for the mailbox, and Microsoft turns password SMTP off by
            default for every organisation from the end of December 2026: prefer Connect with Microsoft.
          </p>
        )}
      </GuideSection>
      {signInProvider === "google" && <MailboxSignInGuide provider="google" />}
      <p className="text-sm">
        Something not working? See{" "}
        <Link href="/help/troubleshooting" className="text-brand-700 underline">
          troubleshooting
        </Link>
        .
      </p>
    </GuideArticle>
  );
}
