import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/**
 * Bearer API key check for every RPC. Keys are compared as SHA-256 digests with timingSafeEqual,
 * so neither length nor content leaks through timing. Messages never echo the presented key.
 */
export function bearerAuthInterceptor(apiKeys: readonly string[]): Interceptor {
  const accepted = apiKeys.map(sha256);
  return (next) => async (request) => {
    const header = request.header.get("authorization");
    if (!header) {
      throw new ConnectError(
        'missing API key: this server requires the header "Authorization: Bearer <api key>"',
        Code.Unauthenticated,
      );
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      throw new ConnectError(
        'malformed Authorization header: expected "Authorization: Bearer <api key>"',
        Code.Unauthenticated,
      );
    }
    const presented = sha256(match[1]!);
    let ok = false;
    for (const key of accepted) ok = timingSafeEqual(key, presented) || ok;
    if (!ok) {
      throw new ConnectError(
        "API key not accepted: check that it matches one of the keys configured on the server",
        Code.Unauthenticated,
      );
    }
    return next(request);
  };
}

/** True for hosts only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) {
    const lower = bare.toLowerCase();
    return lower === "::1" || lower === "0:0:0:0:0:0:0:1" || lower.startsWith("::ffff:127.");
  }
  return false;
}

/** Serving beyond loopback without a key would expose every axon to the network: refuse to start. */
export function assertAuthConfigured(host: string, apiKeys: readonly string[]): void {
  if (apiKeys.some((key) => key.trim() === "")) {
    throw new Error("apiKeys contains an empty key; remove it or set a real secret");
  }
  if (apiKeys.length === 0 && !isLoopbackHost(host)) {
    throw new Error(
      `refusing to serve on ${host} without an API key: anyone who can reach it could read and write every axon. ` +
        "Configure at least one API key, or listen on a loopback address such as 127.0.0.1.",
    );
  }
}
