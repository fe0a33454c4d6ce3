/** `a=1, b=2` → `{ a: "1", b: "2" }`: axon labels and runtime env as typed into one input. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(",")) {
    const [key, ...rest] = part.split("=");
    if (key?.trim()) labels[key.trim()] = rest.join("=").trim();
  }
  return labels;
}
