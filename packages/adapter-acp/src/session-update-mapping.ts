import type { ContentBlock as AcpContentBlock, SessionUpdate } from "@agentclientprotocol/sdk";
import type { ContentBlock, TurnOutput } from "@openaxon/broker";

/**
 * Maps one ACP `session/update` onto the shared turn vocabulary. Updates that describe the session
 * rather than the turn (echoed user messages, commands, modes, usage) map to nothing.
 */
export function turnOutputOf(update: SessionUpdate): TurnOutput | undefined {
  switch (update.sessionUpdate) {
    case "agent_message_chunk": {
      const text = textOf(update.content);
      return text ? { type: "message_chunk", text } : undefined;
    }
    case "agent_thought_chunk": {
      const text = textOf(update.content);
      return text ? { type: "thought_chunk", text } : undefined;
    }
    case "tool_call":
      return {
        type: "tool_call",
        toolCallId: update.toolCallId,
        title: update.title,
        kind: update.kind ?? "other",
        status: update.status ?? "pending",
        ...(update.rawInput === undefined ? {} : { input: update.rawInput }),
      };
    case "tool_call_update": {
      const output = update.rawOutput ?? update.content ?? undefined;
      // Agents also send updates that carry only private `_meta`; they say nothing to a reader.
      if (update.title == null && update.kind == null && update.status == null && output === undefined) {
        return undefined;
      }
      return {
        type: "tool_call_update",
        toolCallId: update.toolCallId,
        ...(update.title == null ? {} : { title: update.title }),
        ...(update.kind == null ? {} : { kind: update.kind }),
        ...(update.status == null ? {} : { status: update.status }),
        ...(output === undefined ? {} : { output }),
      };
    }
    case "plan":
      return { type: "plan", entries: update.entries };
    default:
      return undefined;
  }
}

function textOf(content: AcpContentBlock): string | undefined {
  return content.type === "text" ? content.text : undefined;
}

/** The broker's prompt content as ACP content blocks. */
export function promptBlocks(content: string | readonly ContentBlock[]): AcpContentBlock[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map(acpBlockOf);
}

function acpBlockOf(block: ContentBlock): AcpContentBlock {
  if (block.type === "text") return { type: "text", text: block.text };
  if (block.type === "image") return { type: "image", data: block.data, mimeType: block.mimeType };
  return { type: "resource_link", uri: block.uri, name: block.name ?? block.uri };
}
