import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthPanel } from "@/app/_components/card";
import { db } from "@/lib/db";
import { getMemberContext } from "@/lib/session";
import { isSetupComplete } from "@/lib/setup";
import { safeRedirectPath } from "@/lib/redirect-target";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (!(await isSetupComplete(db))) redirect("/setup");
  const { callbackUrl } = await searchParams;
  const target = safeRedirectPath(callbackUrl);
  if (await getMemberContext()) redirect(target);
  return (
    <AuthPanel
      title="Sign in"
      description="Manage the email account your organisation sends invoices, statements and receipts from."
      footer={
        <>
          Need help setting up Gmail? <Link className="font-medium text-brand-700 underline" href="/help">Read the guides</Link>
        </>
      }
    >
      <SignInForm callbackUrl={target === "/" ? undefined : target} />
    </AuthPanel>
  );
}
