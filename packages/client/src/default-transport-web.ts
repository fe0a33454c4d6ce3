import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/**
 * In browsers: the Connect protocol (binary) over fetch; no bidi streams, so publish stays unary.
 * The browser decides which certificates to trust: `ca` is ignored.
 */
export function createDefaultTransport(options: {
  baseUrl: string;
  interceptors: Interceptor[];
  ca?: unknown;
}): Transport {
  return createConnectTransport({
    baseUrl: options.baseUrl,
    useBinaryFormat: true,
    interceptors: options.interceptors,
  });
}

export const defaultTransportStreamsBothWays = false;
