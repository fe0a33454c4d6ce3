import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse, IncomingHttpHeaders } from "node:http2";
import { Code } from "@connectrpc/connect";
import type { Logger } from "pino";
import { type ApiKeyConfig, createAuthenticator, type Principal } from "./api-keys.js";
import { handleCors } from "./cors.js";
import { type AdmissionPolicy, decideRequestAdmission, normalizeOrigin } from "./request-admission.js";
import { writeRpcError } from "./rpc-error-response.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

export interface RequestGate {
  /** Host and Origin checks, then CORS. False when it answered (refused, or a preflight). */
  admit(request: Request, response: Response): boolean;
  /**
   * The bearer key, checked from the headers alone: a refused request is answered UNAUTHENTICATED
   * in its own protocol before its body is read or decompressed. Undefined when it answered.
   */
  authenticate(request: Request, response: Response): Principal | undefined;
  /**
   * The principal of a request that passes admission and the key check without an answer of its
   * own (allowed, no Origin, key accepted); undefined otherwise, for `admit` and
   * `authenticate` to answer on the full path. Writes and logs nothing.
   */
  quietPrincipal(headers: IncomingHttpHeaders): Principal | undefined;
}

/** Thin I/O around `decideRequestAdmission` and the key check, for the server's request handler. */
export function createRequestGate(options: {
  listenHost: string;
  allowedHosts?: readonly string[];
  corsOrigins?: readonly string[];
  apiKeys: readonly ApiKeyConfig[];
  logger: Logger;
}): RequestGate {
  const { logger } = options;
  const policy: AdmissionPolicy = {
    listenHost: options.listenHost,
    allowedHosts: (options.allowedHosts ?? []).map((host) => host.toLowerCase().replace(/\.$/, "")),
    corsOrigins: (options.corsOrigins ?? []).map((origin) => {
      const normal = normalizeOrigin(origin);
      if (normal === undefined) {
        throw new Error(`CORS origin "${origin}" is not an origin such as https://console.example`);
      }
      return normal;
    }),
  };
  const check = createAuthenticator(options.apiKeys);
  /** The Host last allowed without Origin: clients send the same one on every call (policy is fixed). */
  let allowedHost: string | undefined;
  return {
    admit(request, response) {
      const host = request.headers[":authority"] ?? request.headers.host;
      const origin = request.headers.origin;
      const admission = decideRequestAdmission(
        { host: typeof host === "string" ? host : undefined, origin },
        policy,
      );
      if (admission.kind === "refuse") {
        logger.warn(
          {
            path: pathOf(request),
            host,
            origin,
            reason: admission.reason,
            peer: request.socket?.remoteAddress,
          },
          "request refused",
        );
        if (origin !== undefined) response.setHeader("Vary", "Origin");
        writeRpcError(request, response, Code.PermissionDenied, admission.reason, admission.status);
        return false;
      }
      return !handleCors(request, response, admission.corsOrigin);
    },
    authenticate(request, response) {
      const result = check(request.headers.authorization);
      if (result.kind === "ok") return result.principal;
      // The same line the RPC logging interceptor writes, which this request never reaches.
      logger.info(
        {
          rpc: rpcNameOf(request),
          code: "unauthenticated",
          message: result.message,
          peer: request.socket?.remoteAddress,
        },
        "rpc",
      );
      writeRpcError(request, response, Code.Unauthenticated, result.message, 401);
      return undefined;
    },
    quietPrincipal(headers) {
      // Any Origin gets CORS headers (at least Vary) on the full path.
      if (headers.origin !== undefined) return undefined;
      const host = headers[":authority"] ?? headers.host;
      if (typeof host !== "string" || host !== allowedHost) {
        const admission = decideRequestAdmission(
          { host: typeof host === "string" ? host : undefined, origin: undefined },
          policy,
        );
        if (admission.kind !== "allow") return undefined;
        if (typeof host === "string") allowedHost = host;
      }
      const result = check(headers.authorization);
      return result.kind === "ok" ? result.principal : undefined;
    },
  };
}

function pathOf(request: Request): string {
  return (request.url ?? "").split("?")[0]!.slice(0, 200);
}

function rpcNameOf(request: Request): string {
  return pathOf(request).split("/").pop() ?? "";
}
