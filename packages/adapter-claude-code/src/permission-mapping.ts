import type { PermissionDecision, PermissionOption, PermissionRequest } from "@openaxon/broker";
import type { CanUseToolRequest, PermissionResult } from "./stream-json.js";
import { toolInfo } from "./tool-info.js";

const ALLOW = "allow";
const ALLOW_ALWAYS = "allow_always";
const REJECT = "reject";

/** The message Claude Code passes to the model when a tool use is denied. */
export const DENIED_MESSAGE = "The user denied permission to use this tool.";

/**
 * `can_use_tool` as the broker's permission request. Claude Code offers no options of its own, so
 * they are allow, reject and — when it suggests rules to remember the choice — allow always.
 */
export function permissionRequestOf(request: CanUseToolRequest): PermissionRequest {
  const options: PermissionOption[] = [{ optionId: ALLOW, name: "Allow", kind: "allow_once" }];
  if (request.permission_suggestions && request.permission_suggestions.length > 0) {
    options.push({ optionId: ALLOW_ALWAYS, name: "Always allow", kind: "allow_always" });
  }
  options.push({ optionId: REJECT, name: "Reject", kind: "reject_once" });
  return {
    toolCall: {
      toolCallId: request.tool_use_id,
      ...toolInfo(request.tool_name, request.input),
      status: "pending",
      input: request.input,
    },
    options,
  };
}

/** The broker's decision as Claude Code's PermissionResult. Anything but an allow option denies. */
export function permissionResultOf(
  decision: PermissionDecision,
  request: CanUseToolRequest,
): PermissionResult {
  const toolUseID = request.tool_use_id;
  if (decision.outcome === "selected" && decision.optionId === ALLOW) {
    return { behavior: "allow", updatedInput: request.input, toolUseID };
  }
  if (decision.outcome === "selected" && decision.optionId === ALLOW_ALWAYS) {
    return {
      behavior: "allow",
      updatedInput: request.input,
      updatedPermissions: request.permission_suggestions ?? [],
      toolUseID,
    };
  }
  return { behavior: "deny", message: DENIED_MESSAGE, toolUseID };
}
