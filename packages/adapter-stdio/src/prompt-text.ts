import type { ContentBlock } from "@openaxon/broker";

/** What a plain CLI reads on stdin: the text of the prompt. Non-text blocks become a one-line mention. */
export function promptText(content: string | readonly ContentBlock[]): string {
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      if (block.type === "text") return block.text;
      if (block.type === "resource_link") return `[resource: ${block.name ?? block.uri}] ${block.uri}`;
      return `[${block.type}: ${block.mimeType}]`;
    })
    .join("\n");
}
