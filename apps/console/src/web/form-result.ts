/** A form mapping's refusal becomes a plain Error, so a form shows it the way it shows a server refusal. */
export function orThrow<T extends object>(input: T | { readonly error: string }): T {
  if ("error" in input) throw new Error(input.error);
  return input;
}
