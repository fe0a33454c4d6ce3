/**
 * Every request the fake receives, kept for assertions. `kind` tells the conversation ("main")
 * apart from the side traffic Claude Code sends on its own (titles, quota probes, token counts).
 */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string (Claude Code adds `?beta=true`). */
  readonly path: string;
  readonly query: string;
  /** Lower-cased header names, as Node gives them. Includes `x-api-key` / `authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  readonly body: MessagesRequestBody | undefined;
  readonly kind: "main" | "side" | "count_tokens" | "rejected" | "not_found";
}

/** The parts of a Messages API request body the fake and tests look at. */
export interface MessagesRequestBody {
  readonly model?: string;
  readonly stream?: boolean;
  readonly system?: string | readonly { readonly type: string; readonly text?: string }[];
  readonly messages?: readonly MessageParam[];
  readonly tools?: readonly { readonly name: string }[];
  readonly max_tokens?: number;
  readonly [key: string]: unknown;
}

export interface MessageParam {
  readonly role: "user" | "assistant";
  readonly content: string | readonly ContentBlockParam[];
}

export type ContentBlockParam = { readonly type: string; readonly [key: string]: unknown };

/**
 * The conversation of a request as plain text, one line per block (`user: …`, `assistant: …`,
 * `tool_use Bash {…}`, `tool_result error: …`), so tests can assert what the model was shown.
 */
export function transcript(request: RecordedRequest): string {
  const lines: string[] = [];
  for (const message of request.body?.messages ?? []) {
    const blocks =
      typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    for (const block of blocks) lines.push(blockLine(message.role, block));
  }
  return lines.join("\n");
}

function blockLine(role: string, block: ContentBlockParam): string {
  switch (block.type) {
    case "text":
      return `${role}: ${String(block.text)}`;
    case "tool_use":
      return `tool_use ${String(block.name)} ${JSON.stringify(block.input)}`;
    case "tool_result": {
      const status = block.is_error ? "error" : "ok";
      return `tool_result ${status}: ${resultText(block.content)}`;
    }
    default:
      return `${role}: [${block.type}]`;
  }
}

function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : ""))
      .join("");
  }
  return JSON.stringify(content);
}

/** The text of the last user turn's text blocks (what the user just asked). */
export function lastUserText(request: RecordedRequest): string {
  const messages = request.body?.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    const texts = message.content.filter((b) => b.type === "text").map((b) => String(b.text));
    if (texts.length > 0) return texts.join("\n");
  }
  return "";
}
