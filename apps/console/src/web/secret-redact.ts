/**
 * `text` with every occurrence of a secret value masked. The server promises never to quote a
 * value, but a person may paste it into the name field, and names are quoted in errors: the
 * console must not be the place where it leaks onto the screen.
 */
export function redactSecret(text: string, value: string): string {
  return value === "" ? text : text.split(value).join("•••");
}
