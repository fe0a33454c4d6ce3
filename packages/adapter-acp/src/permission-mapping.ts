import {
  RequestError,
  type RequestPermissionOutcome,
  type RequestPermissionRequest,
} from "@agentclientprotocol/sdk";
import type { PermissionDecision, PermissionRequest } from "@openaxon/broker";

/**
 * An optionId names one choice: with two options sharing an id, "selected X" could mean allow or
 * reject, so such a request is refused as invalid params (the agent sees a JSON-RPC error) rather
 * than guessed at. Checked before anyone is asked.
 */
export function assertDistinctOptionIds(options: RequestPermissionRequest["options"]): void {
  const seen = new Set<string>();
  for (const { optionId } of options) {
    if (seen.has(optionId)) {
      throw RequestError.invalidParams(
        { optionId },
        `session/request_permission offers optionId "${optionId}" more than once; each option needs its own id`,
      );
    }
    seen.add(optionId);
  }
}

/** The agent's `session/request_permission` as the broker's permission request. */
export function permissionRequestOf(params: RequestPermissionRequest): PermissionRequest {
  assertDistinctOptionIds(params.options);
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
  assertDistinctOptionIds(options);
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
