import type { ContentBlock } from "@openaxon/broker";
import type { UserInput } from "./app-server-protocol.js";

/** A prompt as `turn/start` input: text, images as data URLs, resource links as text. */
export function userInputOf(content: string | readonly ContentBlock[]): UserInput[] {
  if (typeof content === "string") return [textInput(content)];
  return content.map((block): UserInput => {
    if (block.type === "text") return textInput(block.text);
    if (block.type === "image") return { type: "image", url: `data:${block.mimeType};base64,${block.data}` };
    // Codex has no link input; the model gets the link as text.
    return textInput(block.name ? `[${block.name}](${block.uri})` : block.uri);
  });
}

const textInput = (text: string): UserInput => ({ type: "text", text, text_elements: [] });

/**
 * A failed turn's error as a person reads it. Codex passes the provider's error body through as
 * the message; the API's own `error.message` inside it is what says what went wrong.
 */
export function turnErrorText(message: string, details?: string | null): string {
  let text = message;
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") text = body.error.message;
  } catch {
    // Not JSON: Codex's own words.
  }
  return details ? `${text} (${details})` : text;
}
