import DOMPurify from "dompurify";
import { marked } from "marked";

// Links in agent output leave the console in a new tab, without an opener or a referrer.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

/**
 * Agent output is untrusted: Markdown becomes HTML with marked, then DOMPurify removes scripts,
 * event handlers, javascript: URLs and anything else active before it reaches the DOM. The CSP
 * (no inline script) is the second wall.
 */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: true });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input"] });
}
