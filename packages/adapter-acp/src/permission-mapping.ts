import type { RequestPermissionOutcome, RequestPermissionRequest } from "@agentclientprotocol/sdk";
import type { PermissionDecision, PermissionRequest } from "@openaxon/broker";

/** The agent's `session/request_permission` as the broker's permission request. */
export function permissionRequestOf(params: RequestPermissionRequest): PermissionRequest {
  const { toolCall } = params;
  return {
    toolCall: {
      toolCallId: toolCall.toolCallId,
      title: toolCall.title ?? "",
      kind: toolCall.kind ?? "other",
      status: toolCall.status ?? "pending",
      ...(toolCall.rawInput === undefined ? {} : { input: toolCall.rawInput }),
    },
    options: params.options.map((option) => ({
      optionId: option.optionId,
      name: option.name,
      kind: option.kind,
    })),
  };
}

/** A denial the agent offered no reject option for; answered as a JSON-RPC error, never as "cancelled". */
export class NoRejectOptionError extends Error {
  constructor() {
    super("Permission denied (the agent offered no reject option)");
    this.name = "NoRejectOptionError";
  }
}

/**
 * The broker's decision as the ACP outcome. A denial selects the agent's reject option: ACP's
 * "cancelled" outcome means the turn was cancelled and is never used to say no.
 */
export function outcomeOf(
  decision: PermissionDecision,
  options: RequestPermissionRequest["options"],
): RequestPermissionOutcome {
  if (decision.outcome === "selected") {
    if (!options.some((option) => option.optionId === decision.optionId)) {
      throw new Error(`Unknown permission option "${decision.optionId}"`);
    }
    return { outcome: "selected", optionId: decision.optionId };
  }
  const reject =
    options.find((option) => option.kind === "reject_once") ??
    options.find((option) => option.kind === "reject_always");
  if (!reject) throw new NoRejectOptionError();
  return { outcome: "selected", optionId: reject.optionId };
}
