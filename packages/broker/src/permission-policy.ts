import type { PermissionDecision, PermissionOption, PermissionRequest } from "./agent-adapter.js";

/** Per-mount policy. Mirrors `openaxon.v1.PermissionPolicy` (UNSPECIFIED means auto-allow). */
export type PermissionPolicy = "auto_allow" | "ask" | "deny";

/** Maps the proto enum number (AUTO_ALLOW=1, ASK=2, DENY=3; 0 = unspecified) to the policy. */
export function permissionPolicyFromProto(value: number): PermissionPolicy {
  if (value === 2) return "ask";
  if (value === 3) return "deny";
  return "auto_allow";
}

const pick = (options: readonly PermissionOption[], kinds: readonly PermissionOption["kind"][]) => {
  for (const kind of kinds) {
    const option = options.find((o) => o.kind === kind);
    if (option) return option;
  }
  return undefined;
};

/**
 * The decision AUTO_ALLOW makes: the agent's own allow option, once rather than always, so a later
 * policy change is not undercut by a standing grant. No allow option on offer means nothing can be
 * allowed, so it rejects.
 */
export function autoAllow(request: PermissionRequest): PermissionDecision {
  const option = pick(request.options, ["allow_once", "allow_always"]);
  return option ? { outcome: "selected", optionId: option.optionId } : { outcome: "rejected" };
}

/** The decision DENY makes: the agent's reject option if it offers one, else a plain rejection. */
export function deny(request: PermissionRequest): PermissionDecision {
  const option = pick(request.options, ["reject_once", "reject_always"]);
  return option ? { outcome: "selected", optionId: option.optionId } : { outcome: "rejected" };
}

/** The rejection ASK falls back to on timeout, cancel or stop: a reject option, never "cancelled". */
export const rejectFallback = deny;
