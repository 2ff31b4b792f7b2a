"use client";
// "Connect with Microsoft / Google" inside the finance email form, for the presets whose provider offers it: the
// recommended way for Microsoft (password SMTP is switched off by default from the end of December 2026), an option
// for Google when the operator set it up. The buttons post the surrounding form to their own actions.
import Link from "next/link";
import { useActionState, useTransition } from "react";
import { ConfirmButton } from "@/app/_components/confirm-dialog";
import { SubmitButton } from "@/app/_components/form";
import { ContactWhoRunsThisApp } from "@/app/_components/support-contact";
import { WHO_RUNS_THIS_APP } from "@/lib/support";
import type { ActionState } from "@/lib/action";
import { OAUTH_PROVIDERS, type OAuthProviderId } from "@/lib/smtp/sign-in-providers";
import { connectMailboxAction, disconnectMailboxAction, type DisconnectResult } from "./actions";
import type { MailboxSignInView } from "./page-data";

export function MailboxSignIn({
  provider,
  presetId,
  view,
}: {
  provider: OAuthProviderId;
  presetId: string;
  view: MailboxSignInView;
}) {
  const [connectState, connect, connecting] = useActionState(connectMailboxAction, {} as ActionState);
  const [disconnectState, disconnect, disconnecting] = useActionState(
    disconnectMailboxAction,
    {} as ActionState<DisconnectResult>,
  );
  const [, startTransition] = useTransition();
  // With JavaScript the buttons run their action in a transition rather than submitting the form: React resets a
  // form after a form action, which would lose what was typed if the action is refused. Without JavaScript the
  // buttons' formAction posts the form.
  const dispatch = (action: (data: FormData) => void) => (button: HTMLButtonElement) => {
    const data = new FormData(button.form!, button);
    startTransition(() => action(data));
  };
  const run = (action: (data: FormData) => void) => (event: React.MouseEvent<HTMLButtonElement>) => {
    event.preventDefault();
    dispatch(action)(event.currentTarget);
  };
  const label = OAUTH_PROVIDERS[provider].label;
  const link = view.link?.provider === provider ? view.link : null;
  const message = [connectState, disconnectState].find((s) => s.message)?.message;
  const failed = [connectState, disconnectState].some((s) => s.ok === false);
  const keptBy = disconnectState.result?.permissionKeptBy;

  if (!view.configured[provider]) {
    return provider === "microsoft" ? (
      <div
        id="mailbox-sign-in"
        className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700"
        data-testid="mailbox-sign-in"
      >
        <p className="font-medium text-slate-900">Signing in with Microsoft is not set up in this app</p>
        <p className="mt-0.5" data-testid="microsoft-password-deadline">
          Microsoft turns password SMTP off by default at the end of December 2026
          {daysUntilPasswordSmtpOff() > 0 ? ` (in ${daysUntilPasswordSmtpOff()} days)` : ""}. A password entered here
          may work until then, and then stop.
        </p>
        <p className="mt-0.5">
          Signing in is how Microsoft mailboxes should be linked, and only {WHO_RUNS_THIS_APP} can turn it on.{" "}
          <ContactWhoRunsThisApp contact={view.support} lead="Ask them: contact" />{" "}
          <Link className="font-medium text-brand-700 underline" href="/help/operators/oauth-apps">
            How it is set up
          </Link>
        </p>
      </div>
    ) : null;
  }

  return (
    <div
      id="mailbox-sign-in"
      className="scroll-mt-4 rounded-md border border-brand-100 bg-brand-50/60 px-3 py-3 text-sm text-slate-800"
      data-testid="mailbox-sign-in"
    >
      {/* Which provider Connect signs in with (the save and test actions drop it). */}
      <input type="hidden" name="signInProvider" value={provider} />
      {link ? (
        <>
          <p role="status" className="font-medium text-slate-900">
            Connected as <span data-testid="connected-mailbox">{link.email}</span>
          </p>
          <p className="mt-0.5 text-slate-600">
            The app sends as this mailbox with its {label} sign-in. No password is stored.
          </p>
          <div className="mt-3 flex flex-wrap gap-2">
            <SubmitButton
              pendingLabel="Opening sign-in…"
              variant="secondary"
              formAction={connect}
              onClick={run(connect)}
              pending={connecting}
            >
              Reconnect
            </SubmitButton>
            <ConfirmButton
              question={`Disconnect ${link.email}?`}
              description={
                <>
                  The app will no longer be able to send as this mailbox.
                  {!OAUTH_PROVIDERS[provider].revocable && (
                    <>
                      {" "}
                      <PermissionKept provider={provider} />
                    </>
                  )}
                </>
              }
              confirmLabel="Disconnect"
              onConfirm={dispatch(disconnect)}
              pendingLabel="Disconnecting…"
              variant="danger"
              formAction={disconnect}
              pending={disconnecting}
            >
              Disconnect
            </ConfirmButton>
          </div>
          {!OAUTH_PROVIDERS[provider].revocable && (
            <p className="mt-2 text-slate-600" data-testid="permission-kept">
              {label} offers apps no way to give back a permission: Disconnect deletes the app&apos;s tokens, and{" "}
              <PermissionKept provider={provider} />
            </p>
          )}
        </>
      ) : (
        <>
          <p className="font-medium text-slate-900">
            {provider === "microsoft"
              ? "Recommended: connect by signing in to the mailbox"
              : "Or connect by signing in to the mailbox"}
          </p>
          <p className="mt-0.5 text-slate-600">
            {provider === "microsoft"
              ? "You sign in at Microsoft and approve sending mail; the app keeps no password."
              : "You sign in at Google and approve sending mail; the app keeps no password."}
          </p>
          <div className="mt-3">
            <SubmitButton
              pendingLabel="Opening sign-in…"
              variant={provider === "microsoft" ? "primary" : "secondary"}
              formAction={connect}
              onClick={run(connect)}
              pending={connecting}
            >
              Connect with {label}
            </SubmitButton>
          </div>
        </>
      )}
      {presetId === "outlook-com" && !link && (
        <p className="mt-2 text-slate-600">
          Outlook.com no longer accepts passwords for sending mail: signing in is the only way.
        </p>
      )}
      {message && (
        <p role={failed ? "alert" : "status"} className={`mt-2 ${failed ? "text-red-800" : "text-emerald-800"}`}>
          {message}
          {keptBy && !failed && (
            <>
              {" "}
              <PermissionKept provider={keptBy} />
            </>
          )}
        </p>
      )}
    </div>
  );
}

/** "Microsoft keeps this permission until it is removed at myapps.microsoft.com." */
function PermissionKept({ provider }: { provider: OAuthProviderId }) {
  const { label, permissionsPage } = OAUTH_PROVIDERS[provider];
  return (
    <>
      {label} keeps this permission until it is removed at{" "}
      <a
        className="font-medium text-brand-700 underline"
        href={permissionsPage.url}
        target="_blank"
        rel="noopener noreferrer"
      >
        {permissionsPage.name}
      </a>
      .
    </>
  );
}

/** Exchange Online's default for existing tenants changes on 31 December 2026. */
const PASSWORD_SMTP_OFF = Date.UTC(2026, 11, 31);

function daysUntilPasswordSmtpOff(now = Date.now()): number {
  return Math.ceil((PASSWORD_SMTP_OFF - now) / 86_400_000);
}
