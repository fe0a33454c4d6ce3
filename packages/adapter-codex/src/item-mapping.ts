import type { TurnOutput } from "@openaxon/broker";
import type { ThreadItem } from "./app-server-protocol.js";
import { unwrapShellCommand } from "./shell-command.js";

type ToolCall = Extract<TurnOutput, { type: "tool_call" }>;
type ToolCallUpdate = Extract<TurnOutput, { type: "tool_call_update" }>;

/** Codex's item statuses (`inProgress`, `completed`, `failed`, `declined`) in the vocabulary's words. */
export function toolStatusOf(status: unknown): string {
  switch (status) {
    case "inProgress":
      return "in_progress";
    case "completed":
      return "completed";
    case "declined":
    case "failed":
      return "failed";
    default:
      return typeof status === "string" ? status : "in_progress";
  }
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The tool call an `item/started` announces, or undefined for items that are no tool (messages, reasoning…). */
export function toolCallOf(item: ThreadItem): ToolCall | undefined {
  const base = { type: "tool_call" as const, toolCallId: item.id, status: toolStatusOf(item.status) };
  switch (item.type) {
    case "commandExecution": {
      const command = unwrapShellCommand(text(item.command));
      return { ...base, title: command, kind: "execute", input: { command } };
    }
    case "fileChange": {
      const changes = Array.isArray(item.changes) ? (item.changes as { path?: unknown }[]) : [];
      const paths = changes.map((change) => text(change.path)).filter((path) => path !== "");
      return {
        ...base,
        title: `Edit ${paths.join(", ")}`.trim(),
        kind: "edit",
        input: { changes: item.changes },
      };
    }
    case "mcpToolCall":
      return {
        ...base,
        title: `${text(item.server)}/${text(item.tool)}`,
        kind: "other",
        input: item.arguments,
      };
    case "dynamicToolCall":
      return { ...base, title: text(item.tool), kind: "other", input: item.arguments };
    case "webSearch":
      return {
        ...base,
        title: `Web search: ${text(item.query)}`.trim(),
        kind: "fetch",
        input: { query: item.query },
      };
    default:
      return undefined;
  }
}

/** The update an `item/completed` of a tool item makes: final status and what it produced. */
export function toolCallUpdateOf(item: ThreadItem): ToolCallUpdate | undefined {
  if (!toolCallOf(item)) return undefined;
  const base = { type: "tool_call_update" as const, toolCallId: item.id, status: toolStatusOf(item.status) };
  switch (item.type) {
    case "commandExecution":
      return { ...base, output: { exitCode: item.exitCode ?? null, output: item.aggregatedOutput ?? null } };
    case "mcpToolCall":
      return { ...base, output: item.error ?? item.result ?? null };
    case "dynamicToolCall":
      return { ...base, output: item.contentItems ?? null };
    default:
      return base;
  }
}

/** `turn/plan/updated` steps as ACP-style plan entries. */
export function planEntriesOf(plan: readonly { step: string; status: string }[]): unknown[] {
  return plan.map((entry) => ({
    content: entry.step,
    status: entry.status === "inProgress" ? "in_progress" : entry.status,
    priority: "medium",
  }));
}
