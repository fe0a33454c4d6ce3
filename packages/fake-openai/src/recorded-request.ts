/**
 * Every request the fake receives, kept for assertions. `kind` tells the model calls ("main") apart
 * from anything else a client sends (model lists, unknown paths, unauthenticated requests).
 */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: string;
  /** Lower-cased header names, as Node gives them. Includes `authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  readonly body: ResponsesRequestBody | undefined;
  readonly kind: "main" | "models" | "rejected" | "not_found";
}

/** The parts of a Responses API request body the fake and tests look at. */
export interface ResponsesRequestBody {
  readonly model?: string;
  readonly stream?: boolean;
  readonly instructions?: string;
  readonly input?: string | readonly InputItem[];
  readonly tools?: readonly { readonly type: string; readonly name?: string }[];
  readonly [key: string]: unknown;
}

export type InputItem = { readonly type?: string; readonly [key: string]: unknown };

/**
 * The conversation of a request as plain text, one line per part — `user: …`, `assistant: …`,
 * `developer: …`, `function_call exec_command {…}`, `function_call_output: …` — so tests can assert
 * what the model was shown.
 */
export function transcript(request: RecordedRequest): string {
  const input = request.body?.input;
  if (typeof input === "string") return `user: ${input}`;
  return (input ?? []).flatMap(itemLines).join("\n");
}

function itemLines(item: InputItem): string[] {
  // Items without a type are messages (the API's "easy input message" form).
  switch (item.type ?? "message") {
    case "message":
      return messageLines(String(item.role), item.content);
    case "function_call":
      return [`function_call ${String(item.name)} ${String(item.arguments)}`];
    case "function_call_output":
      return [`function_call_output: ${outputText(item.output)}`];
    case "reasoning":
      return [`reasoning: ${outputText(item.summary)}`];
    default:
      return [`[${String(item.type)}]`];
  }
}

function messageLines(role: string, content: unknown): string[] {
  if (typeof content === "string") return [`${role}: ${content}`];
  if (!Array.isArray(content)) return [`${role}: [no content]`];
  return content.map((part: { type?: unknown; text?: unknown }) =>
    typeof part.text === "string" ? `${role}: ${part.text}` : `${role}: [${String(part.type)}]`,
  );
}

function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) {
    return output
      .map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : ""))
      .join("");
  }
  return JSON.stringify(output);
}

/** The text of the last user message (what the user just asked). */
export function lastUserText(request: RecordedRequest): string {
  const input = request.body?.input;
  if (typeof input === "string") return input;
  for (const item of [...(input ?? [])].reverse()) {
    if ((item.type ?? "message") === "message" && item.role === "user") {
      return messageLines("user", item.content)
        .map((line) => line.slice("user: ".length))
        .join("\n");
    }
  }
  return "";
}
