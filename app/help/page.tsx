import type { Metadata } from "next";
import { PageHeader } from "@/app/_components/card";
import { helpGuides } from "@/lib/help/guides";
import { HelpSearch } from "./help-search";

export const metadata: Metadata = { title: "Help" };

export default function HelpIndexPage() {
  const guides = helpGuides();
  // Google Mail first: it is what most of our customers link.
  const ordered = [
    ...guides.filter((g) => g.href === "/help/google-mail-smtp"),
    ...guides.filter((g) => g.href !== "/help/google-mail-smtp"),
  ];
  return (
    <>
      <PageHeader
        title="Help"
        description="Guides for linking the email account your finance mail is sent from, and for fixing test-send errors."
      />
      <HelpSearch guides={ordered} />
    </>
  );
}
