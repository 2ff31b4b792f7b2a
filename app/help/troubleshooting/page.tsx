import type { Metadata } from "next";
import { GuideArticle, GuideSection } from "@/app/help/_components/guide";
import { TROUBLESHOOTING } from "@/lib/help/troubleshooting";
import { DIAGNOSIS_IDS } from "@/lib/smtp/diagnose";

export const metadata: Metadata = { title: "Troubleshooting test emails" };

export default function TroubleshootingPage() {
  return (
    <GuideArticle
      title="Troubleshooting test emails"
      intro="Each result of Send test email or Check connection links to its section here: what it means, and what to do next."
    >
      <nav aria-label="On this page" className="no-print rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <ul className="grid gap-1 sm:grid-cols-2">
          {DIAGNOSIS_IDS.map((id) => (
            <li key={id}>
              <a href={`#${id}`} className="text-brand-700 underline">
                {TROUBLESHOOTING[id].title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {DIAGNOSIS_IDS.map((id) => (
        <GuideSection key={id} id={id} title={TROUBLESHOOTING[id].title}>
          <p>{TROUBLESHOOTING[id].meaning}</p>
          <ol className="list-decimal space-y-1 pl-5">
            {TROUBLESHOOTING[id].steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </GuideSection>
      ))}
    </GuideArticle>
  );
}
