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
    const needed = requiredScopes(request.service.typeName, request.method.name, message);
    const missing = needed.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      throw new ConnectError(
        `${request.method.name} needs an API key with the "${missing.join('" and "')}" scope` +
          `${missing.length > 1 ? "s" : ""}; this key has ${describe(principal)}`,
        Code.PermissionDenied,
      );
    }
    return next(request);
  };
}

function describe(principal: Principal): string {
  const scopes = [...principal.scopes];
  return scopes.length === 0 ? "no scopes" : `"${scopes.join(", ")}"`;
}
