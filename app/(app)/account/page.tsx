import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/app/_components/card";
import { SubmitButton } from "@/app/_components/form";
import { Time } from "@/app/_components/time";
import { env } from "@/lib/env";
import { timestamp } from "@/lib/format";
import { ROLE_LABELS } from "@/lib/roles";
import { getSession, requireMember } from "@/lib/session";
import { signOutEverywhereAction } from "./actions";

export const metadata: Metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const ctx = await requireMember({ path: "/account" });
  const signedInAt = (await getSession())?.signedInAt;
  const signedIn = signedInAt ? new Date(signedInAt * 1000) : null;
  const endsBy = signedIn ? new Date(signedIn.getTime() + env().sessionMaxAgeSeconds * 1000) : null;

  return (
    <>
      <PageHeader
        title="Your account"
        description={`${ctx.user.name}, ${ROLE_LABELS[ctx.role].toLowerCase()} of ${ctx.org.name}.`}
      />
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Profile">
          <dl className="grid grid-cols-[7rem_1fr] gap-y-2 text-sm">
            <dt className="text-slate-500">Name</dt>
            <dd className="text-slate-900">{ctx.user.name}</dd>
            <dt className="text-slate-500">Email</dt>
            <dd className="truncate text-slate-900">{ctx.user.email}</dd>
            <dt className="text-slate-500">Role</dt>
            <dd className="text-slate-900">{ROLE_LABELS[ctx.role]}</dd>
            <dt className="text-slate-500">Organisation</dt>
            <dd className="text-slate-900">{ctx.org.name}</dd>
          </dl>
        </Card>
        <Card title="Password" description="A new password signs you out on every other device.">
          <Link
            href="/change-password"
            className="inline-flex rounded-md bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50"
          >
            Change password
          </Link>
        </Card>
        <Card
          title="Where you are signed in"
          description="Each sign-in lasts until you sign out, and never longer than its limit."
        >
          {signedIn && endsBy && (
            <p className="text-sm text-slate-700" data-testid="session-times">
              This browser signed in on <Time at={timestamp(signedIn, ctx.org.timeZone)} />. It will be asked to sign in
              again by <Time at={timestamp(endsBy, ctx.org.timeZone)} />.
            </p>
          )}
          <p className="mt-3 text-sm text-slate-700">
            Used a shared computer, lost a phone, or think someone else knows your password? Sign out everywhere: every
            browser signed in as you, this one too, must sign in again.
          </p>
          <form action={signOutEverywhereAction} className="mt-4">
            <SubmitButton pendingLabel="Signing out everywhere…" variant="danger">
              Sign out everywhere
            </SubmitButton>
          </form>
        </Card>
      </div>
    </>
  );
}
