/**
 * Resolves once `done()` holds or `timeoutMs` passes, re-checking whenever the stream handlers
 * signal progress through `hook` and every `pollMs` in any case.
 */
export function waitFor(
  done: () => boolean,
  hook: (check: () => void) => void,
  timeoutMs: number,
  pollMs = 100,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, timeoutMs);
    const poll = setInterval(check, pollMs);
    function finish() {
      clearTimeout(timer);
      clearInterval(poll);
      hook(() => {});
      resolve();
    }
    function check() {
      if (done()) finish();
    }
    hook(check);
    check();
  });
}
