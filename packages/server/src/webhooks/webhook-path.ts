export const WEBHOOK_PATH_PREFIX = "/webhooks/";

/**
 * `/webhooks/<axon_id>/<hook>` (query ignored) → its two segments; undefined for anything else
 * under the prefix (missing or extra segments, a trailing slash). Segments are taken as they are:
 * axon ids and webhook names never need percent-encoding, so an encoded one matches nothing.
 */
export function parseWebhookPath(url: string): { axonId: string; name: string } | undefined {
  const path = url.split("?", 1)[0]!;
  if (!path.startsWith(WEBHOOK_PATH_PREFIX)) return undefined;
  const segments = path.slice(WEBHOOK_PATH_PREFIX.length).split("/");
  if (segments.length !== 2 || segments[0] === "" || segments[1] === "") return undefined;
  return { axonId: segments[0]!, name: segments[1]! };
}

export function isWebhookPath(url: string | undefined): boolean {
  return url?.startsWith(WEBHOOK_PATH_PREFIX) ?? false;
}
