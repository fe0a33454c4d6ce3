import DOMPurify from "dompurify";
import { marked } from "marked";

/**
 * Agent output is untrusted: Markdown becomes HTML with marked, then DOMPurify removes scripts,
 * event handlers, javascript: URLs and anything else active before it reaches the DOM.
 */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: true });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input"] });
}
