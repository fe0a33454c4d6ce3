import type { PermissionDecision, PermissionOption, PermissionRequest } from "@openaxon/broker";
import type { CommandApprovalParams, FileChangeApprovalParams } from "./app-server-protocol.js";
import { unwrapShellCommand } from "./shell-command.js";

export const COMMAND_APPROVAL = "item/commandExecution/requestApproval";
export const FILE_CHANGE_APPROVAL = "item/fileChange/requestApproval";
export const MCP_ELICITATION = "mcpServer/elicitation/request";

const ALLOW = "allow";
const ALLOW_ALWAYS = "allow_always";
const REJECT = "reject";

/** A command or file-change `decision` value. */
type Decision = string | Readonly<Record<string, unknown>>;

/** An approval Codex asked for, as the broker's permission request plus Codex's answer to each option. */
export interface MappedApproval {
  readonly request: PermissionRequest;
  readonly answers: Readonly<Record<string, unknown>>;
  /** The answer for a rejection, or for anything that is not a known option. */
  readonly refusal: unknown;
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
  const answers: Record<string, unknown> = { [ALLOW]: { decision: "accept" } };
  if (always !== undefined) {
    options.push({ optionId: ALLOW_ALWAYS, name: "Always allow", kind: "allow_always" });
    answers[ALLOW_ALWAYS] = { decision: always };
  }
  options.push({ optionId: REJECT, name: "Reject", kind: "reject_once" });
  return { request: { toolCall, options }, answers, refusal: { decision: "decline" } };
}

/** The parts of an MCP elicitation the adapter reads. */
export interface McpElicitationParams {
  readonly threadId: string;
  readonly turnId: string | null;
  readonly serverName: string;
  readonly message?: string;
  readonly _meta?: {
    readonly codex_approval_kind?: string;
    readonly tool_name?: string;
    readonly tool_params?: unknown;
  } | null;
}

/** Codex asks whether an MCP tool may run as an elicitation marked `codex_approval_kind: "mcp_tool_call"`. */
export function isMcpToolApproval(params: McpElicitationParams): boolean {
  return params._meta?.codex_approval_kind === "mcp_tool_call";
}

/** The answer to an elicitation OpenAxon does not put to anyone (a form asking a person for input). */
export const MCP_DECLINE = { action: "decline", content: null, _meta: null } as const;

/**
 * An MCP tool-call approval, for the tool call already announced as `toolCallId`. Allow once or
 * reject; Codex's remembering (`persist`) is not offered, its answer shape being undocumented.
 */
export function mcpToolApprovalOf(params: McpElicitationParams, toolCallId: string): MappedApproval {
  const tool = params._meta?.tool_name ?? "tool";
  return {
    request: {
      toolCall: {
        toolCallId,
        title: `${params.serverName}/${tool}`,
        kind: "other",
        status: "pending",
        input: params._meta?.tool_params,
      },
      options: [
        { optionId: ALLOW, name: "Allow", kind: "allow_once" },
        { optionId: REJECT, name: "Reject", kind: "reject_once" },
      ],
    },
    answers: { [ALLOW]: { action: "accept", content: {}, _meta: null } },
    refusal: MCP_DECLINE,
  };
}

/** The broker's decision as Codex's answer. Anything but a known allow option refuses. */
export function approvalResponseOf(approval: MappedApproval, decision: PermissionDecision): unknown {
  if (decision.outcome === "selected" && decision.optionId !== REJECT) {
    const chosen = approval.answers[decision.optionId];
    if (chosen !== undefined) return chosen;
  }
  return approval.refusal;
}
