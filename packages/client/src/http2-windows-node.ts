import type http2 from "node:http2";
import { Http2SessionManager } from "@connectrpc/connect-node";

/** Receive window the SDK grants each stream (SETTINGS_INITIAL_WINDOW_SIZE). */
export const STREAM_WINDOW_BYTES = 1024 * 1024;
/** Receive window the SDK grants each connection, shared by its streams. */
export const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

/** http2.connect options with the SDK's stream window. */
export function withStreamWindow(
  options: http2.SecureClientSessionOptions,
): http2.SecureClientSessionOptions {
  return { ...options, settings: { ...options.settings, initialWindowSize: STREAM_WINDOW_BYTES } };
}

/**
 * connect-node's session manager, widening each new connection's receive window. HTTP/2 starts
 * streams and connections at 64 KiB, so a replay could have only 64 KiB in flight before the server
 * waited for a WINDOW_UPDATE: the SDK's replay ran at ~255k events/s where the same server fed a
 * client with wider windows at ~370k. The stream window is a SETTINGS value (withStreamWindow);
 * the connection's has none and grows by a WINDOW_UPDATE, sent here when a session is first used.
 */
export class WideWindowSessionManager extends Http2SessionManager {
  readonly #widened = new WeakSet<http2.Http2Session>();

  override async request(
    ...args: Parameters<Http2SessionManager["request"]>
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(...args);
    const session = stream.session;
    if (session && !this.#widened.has(session) && !session.destroyed) {
      this.#widened.add(session);
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    }
    return stream;
  }
}
