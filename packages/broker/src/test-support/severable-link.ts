import type { AxonLink } from "../axon-link.js";

/**
 * Wraps a link so a test can "kill the process" behind it: after `sever()`, nothing more reaches
 * the axon (publishes and reads never answer, follows end), exactly as if the broker had crashed.
 */
export function severableLink(inner: AxonLink) {
  const cut = new AbortController();
  const never = new Promise<never>(() => {});
  const link: AxonLink = {
    publish: (axonId, event, options) => (cut.signal.aborted ? never : inner.publish(axonId, event, options)),
    read: (axonId, options) => (cut.signal.aborted ? never : inner.read(axonId, options)),
    follow: (axonId, after, signal) => inner.follow(axonId, after, AbortSignal.any([signal, cut.signal])),
  };
  return { link, sever: () => cut.abort() };
}
