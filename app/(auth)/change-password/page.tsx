import type { Metadata } from "next";
import Link from "next/link";
import { AuthPanel } from "@/app/_components/card";
import { requireMember } from "@/lib/session";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Change password" };
export const dynamic = "force-dynamic";

export default async function ChangePasswordPage() {
  const ctx = await requireMember({ allowPendingPasswordChange: true, path: "/change-password" });
  const temporary = ctx.user.mustChangePassword;
  return (
    <AuthPanel
      title={temporary ? "Choose your own password" : "Change password"}
      description={
        temporary
          ? `Welcome to ${ctx.org.name}. You signed in with a temporary password; replace it with one only you know.`
          : "Enter your current password, then the new one twice."
      }
      footer={
        temporary ? undefined : (
          <Link href="/" className="font-medium text-brand-700 underline">
            Back to dashboard
          </Link>
        )
      }
    >
      <ChangePasswordForm temporary={temporary} />
    </AuthPanel>
  );
}
