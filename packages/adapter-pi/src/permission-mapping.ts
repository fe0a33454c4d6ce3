import type { PermissionDecision, PermissionRequest, TurnOutput } from "@openaxon/broker";
import { ALLOW, PERMISSION_TITLE_PREFIX, REJECT } from "./permission-gate-extension.js";
import type { ExtensionUiRequest } from "./rpc-protocol.js";

/** The tool call a dialog of the permission gate asks about, or undefined for any other dialog. */
export function permissionToolCallId(request: ExtensionUiRequest): string | undefined {
  if (request.method !== "select" || !request.title?.startsWith(PERMISSION_TITLE_PREFIX)) return undefined;
  return request.title.slice(PERMISSION_TITLE_PREFIX.length);
}

/** The broker's request for a tool call already reported as `toolCall` (Pi has one-shot answers only). */
export function permissionRequestOf(toolCall: Extract<TurnOutput, { type: "tool_call" }>): PermissionRequest {
  const { type: _type, ...info } = toolCall;
  return {
    toolCall: info,
    options: [
      { optionId: ALLOW, name: "Allow", kind: "allow_once" },
      { optionId: REJECT, name: "Reject", kind: "reject_once" },
    ],
  };
}

/** The dialog answer for a decision: the chosen option, or reject. */
export function dialogResponseOf(id: string, decision: PermissionDecision): Record<string, unknown> {
  const value = decision.outcome === "selected" && decision.optionId === ALLOW ? ALLOW : REJECT;
  return { type: "extension_ui_response", id, value };
}

/** Any other extension's dialog: the adapter has nobody to show it to, so it is dismissed. */
export function dismissedDialog(id: string): Record<string, unknown> {
  return { type: "extension_ui_response", id, cancelled: true };
}
