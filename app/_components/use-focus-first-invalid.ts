"use client";
// A refused submit takes the eyes and the keyboard to the first field it names, with its message beside it.
import { useEffect, type RefObject } from "react";
import type { ActionState } from "@/lib/action";

export function focusFirstInvalid(form: HTMLFormElement | null) {
  const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  first?.focus();
  first?.scrollIntoView({ block: "center" });
}

export function useFocusFirstInvalid(form: RefObject<HTMLFormElement | null>, state: ActionState) {
  useEffect(() => {
    if (state.ok !== false || !state.errors || Object.keys(state.errors).length === 0) return;
    focusFirstInvalid(form.current);
  }, [form, state]);
}
