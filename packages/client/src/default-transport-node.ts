import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { WideWindowSessionManager, withStreamWindow } from "./http2-windows-node.js";
import { probeTls } from "./probe-tls-node.js";
import { tlsMismatchInterceptor } from "./tls-mismatch.js";

/**
 * In Node: the Connect protocol (binary) over HTTP/2 with connect-node, one multiplexed connection
 * instead of fetch over HTTP/1.1 — cheaper per call and able to carry Append sessions (bidi) — with
 * receive windows wide enough for replay (http2-windows-node.ts).
 * `ca` replaces Node's trusted roots for https:// (NODE_EXTRA_CA_CERTS adds to them instead).
 */
export function createDefaultTransport(options: {
  baseUrl: string;
  interceptors: Interceptor[];
  ca?: string | readonly string[];
}): Transport {
  const sessionOptions = withStreamWindow(
    options.ca === undefined ? {} : { ca: options.ca as string | string[] },
  );
  return createConnectTransport({
    baseUrl: options.baseUrl,
    httpVersion: "2",
    useBinaryFormat: true,
    interceptors: [tlsMismatchInterceptor(options.baseUrl, probeTls), ...options.interceptors],
    sessionManager: new WideWindowSessionManager(options.baseUrl, undefined, sessionOptions),
  });
}

/** Whether the default transport can carry bidi streams (Append sessions). */
export const defaultTransportStreamsBothWays = true;
