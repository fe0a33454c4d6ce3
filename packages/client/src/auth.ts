import type { Interceptor, Transport } from "@connectrpc/connect";

/** Adds `Authorization: Bearer <apiKey>` to every call. */
export function bearerAuthInterceptor(apiKey: string): Interceptor {
  const value = `Bearer ${apiKey}`;
  return (next) => (request) => {
    request.header.set("Authorization", value);
    return next(request);
  };
}

/**
 * The same header for a transport the caller built: interceptors belong to a transport's
 * construction, so a given transport is wrapped instead.
 */
export function withBearerAuth(transport: Transport, apiKey: string): Transport {
  const withHeader = (header: ConstructorParameters<typeof Headers>[0]): Headers => {
    const headers = new Headers(header);
    headers.set("Authorization", `Bearer ${apiKey}`);
    return headers;
  };
  return {
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.unary(method, signal, timeoutMs, withHeader(header), input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, timeoutMs, withHeader(header), input, contextValues),
  };
}
