// After a change, every part of the Finance email area renders again, and its layout's status with it: the
// action's response carries the current part fresh, and the other parts are not served from the router's cache.
import "server-only";
import { revalidatePath } from "next/cache";

export function refreshFinanceEmail() {
  revalidatePath("/settings/email", "layout");
}
