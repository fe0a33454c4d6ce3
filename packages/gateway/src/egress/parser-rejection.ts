/** What a request the HTTP parser refused tells the audit log. */
export interface ParserRejection {
  readonly reason: string;
  /** The Proxy-Authorization value found in the raw request, to attribute it to a runtime. */
  readonly proxyAuthorization?: string;
}

/**
 * Describes a `clientError` the proxy should audit: a request llhttp refused (Content-Length with
 * Transfer-Encoding, obs-fold, bare LF, `\` or `#` in the target, …). Socket errors and timeouts
 * (no HPE_ code) are not requests and return undefined. The credential is read from the raw bytes
 * only to attribute the event; it authenticates nothing by itself.
 */
export function parserRejection(error: Error & { code?: string; reason?: string; rawPacket?: unknown }) {
  const code = error.code ?? "";
  if (!code.startsWith("HPE_")) return undefined;
  const detail = typeof error.reason === "string" && error.reason ? error.reason : code;
  const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString("latin1") : "";
  const proxyAuthorization = /(?:^|[\r\n])proxy-authorization:[ \t]*([^\r\n]*)/i.exec(raw)?.[1]?.trim();
  const rejection: ParserRejection = {
    reason: `malformed HTTP request: ${detail} (${code})`,
    ...(proxyAuthorization && { proxyAuthorization }),
  };
  return rejection;
}
