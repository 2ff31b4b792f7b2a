import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthPanel } from "@/app/_components/card";
import { db } from "@/lib/db";
import { clientAddressFrom } from "@/lib/client-address.mjs";
import { env } from "@/lib/env";
import { isSetupComplete } from "@/lib/setup";
import { setupTokenRequired } from "@/lib/setup-token";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up" };
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if (await isSetupComplete(db)) redirect("/sign-in");
  return (
    <AuthPanel
      title="Welcome! Let's get you set up"
      description="Create your organisation and your owner account. You can invite colleagues afterwards."
    >
      <SetupForm askForToken={setupTokenRequired(env(), clientAddressFrom(await headers()))} />
    </AuthPanel>
  );
}
