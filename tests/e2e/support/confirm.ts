// The app asks before a step that cannot be undone in its own dialog (app/_components/confirm-dialog.tsx); the
// browser's alert, confirm or prompt must never appear.
import { expect, type Locator, type Page } from "@playwright/test";

const watched = new WeakSet<Page>();

/** Fails the running test if the page opens a browser dialog (dismissing it, as a person might). */
export function failOnBrowserDialogs(page: Page) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on("dialog", (dialog) => {
    expect.soft(dialog.message(), `the browser's own ${dialog.type()}() opened`).toBeUndefined();
    void dialog.dismiss();
  });
}

/** Presses `opener`, checks the app's dialog asks `question`, and answers with its `confirm` button. */
export async function confirmInDialog(opener: Locator, { question, confirm }: { question: string; confirm: string }) {
  const page = opener.page();
  failOnBrowserDialogs(page);
  await opener.click();
  const dialog = page.getByRole("dialog", { name: question });
  await dialog.getByRole("button", { name: confirm, exact: true }).click();
  await expect(dialog).toBeHidden();
}
