import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/** In browsers: the Connect protocol (binary) over fetch; no bidi streams, so publish stays unary. */
export function createDefaultTransport(options: { baseUrl: string; interceptors: Interceptor[] }): Transport {
  return createConnectTransport({
    baseUrl: options.baseUrl,
    useBinaryFormat: true,
    interceptors: options.interceptors,
  });
}

export const defaultTransportStreamsBothWays = false;
