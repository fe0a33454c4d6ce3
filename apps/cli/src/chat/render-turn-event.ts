import type { TurnEventView } from "@openaxon/client";
import type { ChatOutput } from "./chat-output.js";

/**
 * Renders the turn events that need no decision: reply and thought chunks, tool calls, plans.
 * Permission requests and the turn's end are the chat command's to handle. Tool call titles are
 * remembered so updates (which carry only what changed) can name their call.
 */
export class TurnRenderer {
  private readonly titles = new Map<string, string>();

  constructor(private readonly output: ChatOutput) {}

  render(view: TurnEventView): void {
    const c = this.output.colors;
    switch (view.type) {
      case "message_chunk":
        this.output.reply(view.text);
        return;
      case "thought_chunk":
        this.output.aside(c.dim(view.text));
        return;
      case "tool_call": {
        const { toolCallId, title, kind, status } = view.toolCall;
        this.titles.set(toolCallId, title);
        this.output.line(
          `${c.cyan("⚙")} ${title || toolCallId} ${c.dim([kind, status].filter(Boolean).join(" · "))}`,
        );
        return;
      }
      case "tool_call_update": {
        if (view.title) this.titles.set(view.toolCallId, view.title);
        if (!view.status) return;
        const title = this.titles.get(view.toolCallId) || view.toolCallId;
        const status = view.status === "failed" ? c.red(view.status) : c.dim(view.status);
        this.output.line(`${c.dim(`  ↳ ${title}:`)} ${status}`);
        return;
      }
      case "plan": {
        this.output.line(c.dim("plan:"));
        for (const entry of view.entries) {
          const { content, status } = (entry ?? {}) as { content?: unknown; status?: unknown };
          const mark = status === "completed" ? "✓" : status === "in_progress" ? "…" : "·";
          this.output.line(
            c.dim(`  ${mark} ${typeof content === "string" ? content : JSON.stringify(entry)}`),
          );
        }
        return;
      }
      default:
        return;
    }
  }
}
