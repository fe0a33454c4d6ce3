import type { IncomingHttpHeaders } from "node:http";
import type { GatewayAccessPayload } from "../audit.js";
import { type Binding, partyOf } from "./binding.js";
import { parseBindingTarget, upstreamPath } from "./binding-path.js";
import type { BindingLookup } from "./binding-table.js";
import { anyToken, digestToken, presentedToken } from "./tokens.js";

/** The request line and headers of a call to the credential gateway. */
export interface BindingRequest {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export type BindingAuthorization =
  /** Inject the binding's secret and send the request to `path` (with query) upstream. */
  | { readonly outcome: "forward"; readonly binding: Binding; readonly path: string }
  /** Refuse and audit: the request can be attributed to a runtime or a binding. */
  | {
      readonly outcome: "deny";
      readonly status: number;
      readonly reason: string;
      readonly audit: Omit<GatewayAccessPayload, "via">;
    }
  /** Refuse without an audit event: nothing ties the request to a runtime. */
  | { readonly outcome: "refuse"; readonly status: number; readonly reason: string };

/**
 * Decides a credential-gateway request: the token must belong to a live runtime and to the very
 * binding the URL names (no token laundering), and the path must stay under the endpoint's base
 * path. Denials are attributed to whoever the presented token belongs to, else to the binding.
 */
export function authorizeBindingRequest(
  request: BindingRequest,
  lookup: BindingLookup,
): BindingAuthorization {
  const requested = parseBindingTarget(request.url);
  const id = requested?.bindingId;
  const binding = id ? lookup.binding(id) : undefined;
  const target = binding ? partyOf(binding) : id ? lookup.revokedBinding(id) : undefined;
  const presented = binding ? presentedToken(request.headers, binding.gateway) : anyToken(request.headers);
  const tokenDigest = presented ? digestToken(presented) : undefined;
  const owner = tokenDigest ? lookup.tokenOwner(tokenDigest) : undefined;
  const revokedOwner = tokenDigest && !owner ? lookup.revokedToken(tokenDigest) : undefined;
  const tokenParty = owner ? partyOf(owner) : revokedOwner;
  const deny = (status: number, rule: string, reason: string, party = tokenParty ?? target) => {
    const about = target ?? party;
    const audit = {
      runtime_id: party?.runtimeId ?? "",
      host: about?.host ?? "",
      port: about?.port ?? 0,
      rule,
      reason,
      binding: about?.prefix,
    };
    return { outcome: "deny", status, reason, audit } as const;
  };
  if (!binding || !requested) {
    if (target) return deny(403, "deny:revoked", "gateway access for this binding was revoked");
    if (tokenParty) return deny(404, "deny:unknown-binding", "no such binding");
    return { outcome: "refuse", status: 404, reason: "no such binding" };
  }
  if (!presented) return deny(401, "deny:missing-token", "missing gateway token", target);
  if (revokedOwner) return deny(403, "deny:revoked-token", "this gateway token was revoked");
  if (!owner) return deny(403, "deny:invalid-token", "unknown gateway token", target);
  if (owner !== binding) {
    // Token laundering: a token is only good for the one binding it was issued for.
    return deny(
      403,
      "deny:wrong-binding",
      `token of binding ${owner.prefix} presented to binding ${binding.prefix}`,
    );
  }
  // A path that climbs out of the endpoint's base path never gets the secret.
  const resolved = upstreamPath(binding.upstream.pathname, requested.path);
  if ("error" in resolved) return deny(resolved.status, resolved.rule, resolved.error);
  return { outcome: "forward", binding, path: `${resolved.path}${requested.query}` };
}
