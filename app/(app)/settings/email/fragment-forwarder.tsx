"use client";
// Links to a part by its old fragment (/settings/email#alerts, in sent alert emails and bookmarks) open that part.
// A fragment never reaches the server, so this is done in the browser, once, replacing the history entry.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { PART_OF_FRAGMENT } from "./parts";

export function FragmentForwarder() {
  const router = useRouter();
  useEffect(() => {
    const part = PART_OF_FRAGMENT[window.location.hash];
    if (part) router.replace(part);
  }, [router]);
  return null;
}
