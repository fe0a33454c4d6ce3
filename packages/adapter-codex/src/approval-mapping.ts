import type { PermissionDecision, PermissionOption, PermissionRequest } from "@openaxon/broker";
import type { CommandApprovalParams, FileChangeApprovalParams } from "./app-server-protocol.js";
import { unwrapShellCommand } from "./shell-command.js";

export const COMMAND_APPROVAL = "item/commandExecution/requestApproval";
export const FILE_CHANGE_APPROVAL = "item/fileChange/requestApproval";

const ALLOW = "allow";
const ALLOW_ALWAYS = "allow_always";
const REJECT = "reject";

/** What Codex is answered for each option: its `decision` value. */
type Decision = string | Readonly<Record<string, unknown>>;

/** An approval Codex asked for, as the broker's permission request plus how to answer each option. */
export interface MappedApproval {
  readonly request: PermissionRequest;
  readonly decisions: Readonly<Record<string, Decision>>;
}

/**
 * A command approval. Allow always is offered when Codex offers a way to remember the choice: for
 * the session (`acceptForSession`) or as an exec-policy rule for the command's prefix. Reject is
 * `decline` — the command does not run and the model is told so, in the same turn — never
 * `cancel`, which would end the turn.
 */
export function commandApprovalOf(params: CommandApprovalParams): MappedApproval {
  const command = unwrapShellCommand(params.command ?? "");
  const available = params.availableDecisions ?? [];
  const always =
    available.find((decision) => decision === "acceptForSession") ??
    available.find(
      (decision) =>
        typeof decision === "object" && decision !== null && "acceptWithExecpolicyAmendment" in decision,
    );
  return mapped(
    {
      toolCallId: params.itemId,
      title: command,
      kind: "execute",
      status: "pending",
      input: params.reason ? { command, description: params.reason } : { command },
    },
    always as Decision | undefined,
  );
}

/** A file change (apply_patch) approval: allow, allow for the session, reject. */
export function fileChangeApprovalOf(params: FileChangeApprovalParams): MappedApproval {
  return mapped(
    {
      toolCallId: params.itemId,
      title: params.reason ?? "Edit files",
      kind: "edit",
      status: "pending",
      input: params.grantRoot
        ? { reason: params.reason, grantRoot: params.grantRoot }
        : { reason: params.reason },
    },
    "acceptForSession",
  );
}

function mapped(toolCall: PermissionRequest["toolCall"], always: Decision | undefined): MappedApproval {
  const options: PermissionOption[] = [{ optionId: ALLOW, name: "Allow", kind: "allow_once" }];
  const decisions: Record<string, Decision> = { [ALLOW]: "accept", [REJECT]: "decline" };
  if (always !== undefined) {
    options.push({ optionId: ALLOW_ALWAYS, name: "Always allow", kind: "allow_always" });
    decisions[ALLOW_ALWAYS] = always;
  }
  options.push({ optionId: REJECT, name: "Reject", kind: "reject_once" });
  return { request: { toolCall, options }, decisions };
}

/** The broker's decision as Codex's `{decision}` answer. Anything but a known allow option declines. */
export function approvalResponseOf(
  approval: MappedApproval,
  decision: PermissionDecision,
): { decision: Decision } {
  if (decision.outcome === "selected" && decision.optionId !== REJECT) {
    const chosen = approval.decisions[decision.optionId];
    if (chosen !== undefined) return { decision: chosen };
  }
  return { decision: "decline" };
}
