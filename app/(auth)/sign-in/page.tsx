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

/** Why the visitor is here after an action of their own ended their session. */
const NOTICES: Record<string, string> = {
  everywhere: "You are signed out on every device. Sign in again here when you need to.",
  passwordChanged: "Your password has been changed. Sign in with the new one.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; signedOut?: string; passwordChanged?: string }>;
}) {
  if (!(await isSetupComplete(db))) redirect("/setup");
  const { callbackUrl, signedOut, passwordChanged } = await searchParams;
  const notice = signedOut === "everywhere" ? NOTICES.everywhere : passwordChanged ? NOTICES.passwordChanged : null;
  const target = safeRedirectPath(callbackUrl);
  if (await getMemberContext()) redirect(target);
  return (
    <AuthPanel
      title="Sign in"
      description="Manage the email account your organisation sends invoices, statements and receipts from."
      footer={
        <>
          Need help setting up Gmail?{" "}
          <Link className="font-medium text-brand-700 underline" href="/help">
            Read the guides
          </Link>
        </>
      }
    >
      {notice && (
        <p
          role="status"
          className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          {notice}
        </p>
      )}
      <SignInForm callbackUrl={target === "/" ? undefined : target} />
    </AuthPanel>
  );
}
