"use client";
// A submit button that asks first, in the app's own modal (the native <dialog>, so the browser traps focus and
// Escape cancels) rather than the browser's confirm(). It stays a submit button, so without JavaScript the form
// posts as before, unasked.
import { useId, useRef, type ComponentProps, type ReactNode } from "react";
import { buttonClass, SubmitButton } from "@/app/_components/form";

export function ConfirmButton({
  question,
  description,
  confirmLabel,
  onConfirm = submitWith,
  ...button
}: Omit<ComponentProps<typeof SubmitButton>, "onClick"> & {
  /** Names what it acts on ("Remove ann@example.com?"); the dialog's accessible name. */
  question: string;
  description: ReactNode;
  /** A verb for what happens ("Remove member"), never "OK". Styled as danger when the button is. */
  confirmLabel: string;
  /** Runs once confirmed, with the button that opened the dialog; by default submits that button's form. */
  onConfirm?: (opener: HTMLButtonElement) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const questionId = useId();
  const descriptionId = useId();

  const open = (event: React.MouseEvent<HTMLButtonElement>) => {
    event.preventDefault();
    opener.current = event.currentTarget;
    dialog.current?.showModal();
    // The safe choice first, so a stray Enter cancels.
    cancel.current?.focus();
  };
  // Safari and Firefox do not focus a clicked button, so the browser's own focus return would miss it.
  const refocusOpener = () => opener.current?.focus();
  const confirm = () => {
    dialog.current?.close();
    // Before the action runs: its pending state disables the button, which then cannot take focus.
    refocusOpener();
    if (opener.current) onConfirm(opener.current);
  };

  return (
    <>
      <SubmitButton {...button} onClick={open} />
      <dialog
        ref={dialog}
        aria-labelledby={questionId}
        aria-describedby={descriptionId}
        onClose={refocusOpener}
        className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-slate-200 bg-white p-5 text-left shadow-xl backdrop:bg-slate-900/40"
      >
        <h2 id={questionId} className="text-base font-semibold break-words text-slate-900">
          {question}
        </h2>
        <div id={descriptionId} className="mt-2 text-sm text-slate-700">
          {description}
        </div>
        <div className="mt-5 flex flex-wrap justify-end gap-2">
          <button
            ref={cancel}
            type="button"
            className={buttonClass("secondary")}
            onClick={() => dialog.current?.close()}
          >
            Cancel
          </button>
          <button
            type="button"
            className={buttonClass(button.variant === "danger" ? "danger" : "primary")}
            onClick={confirm}
          >
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

/** Submits the opener's form as if it had been pressed, so its formAction, name and value still apply. */
function submitWith(opener: HTMLButtonElement) {
  opener.form?.requestSubmit(opener);
}
