// The parts of the Finance email area, in the order of its tabs. Each is a page under /settings/email, so a part
// is in the URL and can be linked to; `admin` parts are shown to owners and admins only.
export type FinanceEmailPart = { href: string; label: string; exact?: boolean; admin?: boolean };

export const FINANCE_EMAIL_PARTS: readonly FinanceEmailPart[] = [
  { href: "/settings/email", label: "Account", exact: true },
  { href: "/settings/email/deliverability", label: "Deliverability" },
  { href: "/settings/email/alerts", label: "Alerts", admin: true },
  { href: "/settings/email/history", label: "History" },
];

/**
 * Where the parts were before they had pages of their own: sections of one page, reached by a fragment. Links
 * with those fragments live on in sent alert emails and bookmarks; the Account page forwards them.
 */
export const PART_OF_FRAGMENT: Record<string, string> = {
  "#deliverability": "/settings/email/deliverability",
  "#alerts": "/settings/email/alerts",
  "#history": "/settings/email/history",
  "#recent-tests": "/settings/email/history",
};
