// Table-driven checks of a one-argument function: one test per row, so a failing row is named in the output.
import { expect, it } from "vitest";

/**
 * For each [input, expected] row, `fn(input)` matches `expected`: the same value (toBe) by default, or deeply equal
 * (toEqual) for objects.
 */
export function itReturns<I, O>(
  title: string,
  fn: (input: I) => O,
  rows: readonly (readonly [I, O])[],
  compare: "toBe" | "toEqual" = "toBe",
) {
  it.each(rows.map((row) => [...row] as [I, O]))(title, (input, expected) => {
    expect(fn(input))[compare](expected);
  });
}

/** For each input, `fn(input)` is null. */
export function itReturnsNull<I>(title: string, fn: (input: I) => unknown, inputs: readonly I[]) {
  it.each(inputs.map((input) => [input] as [I]))(title, (input) => {
    expect(fn(input)).toBeNull();
  });
}
