// Who an organisation's people contact about this app: the operator's SUPPORT_URL and SUPPORT_EMAIL, shown wherever a
// page says to get in touch and in the footer. Without either, pages say "the people who run this app", never "your
// administrator" (an owner is the organisation's own administrator) and never a variable's name.
export type SupportContact = { url: string | null; email: string | null };

/** How pages name whoever runs this app. */
export const WHO_RUNS_THIS_APP = "the people who run this app";

/** The ways to reach them, as links: the web page first. Empty when the operator gave none. */
export function supportLinks(contact: SupportContact): { href: string; label: string }[] {
  return [
    ...(contact.url ? [{ href: contact.url, label: linkLabel(new URL(contact.url)) }] : []),
    ...(contact.email ? [{ href: `mailto:${contact.email}`, label: contact.email }] : []),
  ];
}

/** "help.example.com/finance": a web address as people read it, without the scheme or a trailing slash. */
function linkLabel(url: URL): string {
  return url.host + url.pathname.replace(/\/$/, "");
}
