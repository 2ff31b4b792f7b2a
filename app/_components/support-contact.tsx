// "Contact the people who run this app", with the operator's support page and address as links when they gave them.
// Plain markup: it renders inside server and client components alike.
import { supportLinks, WHO_RUNS_THIS_APP, type SupportContact } from "@/lib/support";

export function ContactWhoRunsThisApp({ contact, lead = "Contact" }: { contact: SupportContact; lead?: string }) {
  const links = supportLinks(contact);
  return (
    <span data-testid="support-contact">
      {lead} {WHO_RUNS_THIS_APP}
      {links.length > 0 ? ": " : "."}
      {links.map((link, i) => (
        <span key={link.href}>
          {i > 0 && " or "}
          <a className="font-medium text-brand-700 underline" href={link.href} rel="noreferrer">
            {link.label}
          </a>
        </span>
      ))}
      {links.length > 0 && "."}
    </span>
  );
}
