import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { ANONYMOUS_LOOPBACK, type Principal } from "./api-keys.js";
import { requiredScopes, type ScopedRequest } from "./required-scope.js";

/** The caller, set per request by the HTTP handler once the key was checked. */
export const principalKey = createContextKey<Principal>(ANONYMOUS_LOOPBACK, { description: "principal" });

/**
 * Refuses calls whose key lacks a scope the RPC needs (`requiredScopes`) with PERMISSION_DENIED
 * naming the scope. Runs after the key was checked and the message parsed (Publish's scope depends
 * on the events' origins). Subscribe, the only streaming RPC, depends on no message field.
 */
export function scopeInterceptor(): Interceptor {
  return (next) => async (request) => {
    const principal = request.contextValues.get(principalKey);
    const message = request.stream ? undefined : (request.message as ScopedRequest);
    const error = scopeError(principal, request.service.typeName, request.method.name, message);
    if (error) throw error;
    return next(request);
  };
}

/**
 * The PERMISSION_DENIED a call gets when the key lacks a scope it needs, else undefined. Shared by
 * the interceptor, the gRPC Publish fast path and the Append session (per batch).
 */
export function scopeError(
  principal: Principal,
  service: string,
  method: string,
  message: ScopedRequest | undefined,
): ConnectError | undefined {
  const needed = requiredScopes(service, method, message);
  const missing = needed.filter((scope) => !principal.scopes.has(scope));
  if (missing.length === 0) return undefined;
  return new ConnectError(
    `${method} needs an API key with the "${missing.join('" and "')}" scope` +
      `${missing.length > 1 ? "s" : ""}; this key has ${describe(principal)}`,
    Code.PermissionDenied,
  );
}

function describe(principal: Principal): string {
  const scopes = [...principal.scopes];
  return scopes.length === 0 ? "no scopes" : `"${scopes.join(", ")}"`;
}
