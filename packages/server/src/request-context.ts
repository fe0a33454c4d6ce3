import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { DescMessage } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";

/** The header a caller may send its own request id in, and the server echoes the id in. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * An incoming id is kept when it is 1–128 characters of letters, digits and `._:/+=@-` (UUIDs, trace
 * ids, ULIDs); anything else could forge log fields or flood lines, so the server makes its own.
 */
const SANE_REQUEST_ID = /^[\w.:/+=@-]{1,128}$/;

export interface RequestContext {
  readonly requestId: string;
  /**
   * Set when the call's response is closed. Work a call started but that outlives it (a runtime's
   * broker started by CreateRuntime, a group commit another call joined) still runs in its async
   * context; its later lines are not that call's, so they get no request id.
   */
  ended: boolean;
  /** strict-decoding.ts's state for this request: its RPC's input type, and why it is refused. */
  decoding?: { readonly input: DescMessage | undefined; problem?: ConnectError };
}

/**
 * The server's only AsyncLocalStorage (strict decoding keeps its state here too): on Node 20 every
 * promise created anywhere pays a property write per AsyncLocalStorage instance, so one, not two.
 */
const current = new AsyncLocalStorage<RequestContext>();

/** The call being served, if any. */
export function currentRequest(): RequestContext | undefined {
  return current.getStore();
}

/** The caller's id from the `x-request-id` header when it is sane, else a fresh UUID. */
export function requestIdFrom(header: string | readonly string[] | undefined): string {
  const value = typeof header === "string" ? header : undefined; // repeated headers: ours
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

export function newRequestContext(header: string | readonly string[] | undefined): RequestContext {
  return { requestId: requestIdFrom(header), ended: false };
}

/** Runs `fn` (and everything it starts asynchronously) as part of the call `context`. */
export function runInRequest<T>(context: RequestContext, fn: () => T): T {
  return current.run(context, fn);
}

/**
 * `fn`, bound to the call being served now (if any): for stream and socket event handlers, which
 * Node runs in the connection's async context rather than the call's.
 */
export function inThisRequest<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  const context = current.getStore();
  return context === undefined ? fn : (...args) => current.run(context, () => fn(...args));
}

/** Runs `fn` outside any call: for lines about work shared by many calls. */
export function outsideAnyRequest<T>(fn: () => T): T {
  return current.exit(fn);
}

/**
 * Log fields of the call being served, for pino's `mixin` option: `{ requestId }` while a call is
 * served, nothing otherwise. axond's logger uses it, so every line written while serving a call —
 * the server's, the store's, the SQL host's — carries the call's id.
 */
export function requestLogFields(): { readonly requestId?: string } {
  const context = current.getStore();
  // A fresh object each time: pino merges the line's own fields into what the mixin returns.
  return context === undefined || context.ended ? {} : { requestId: context.requestId };
}
