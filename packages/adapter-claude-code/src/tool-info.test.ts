import { describe, expect, it } from "vitest";
import { toolInfo } from "./tool-info.js";

describe("toolInfo", () => {
  it("titles tool calls by what they act on and sorts them into kinds", () => {
    expect(toolInfo("Bash", { command: "ls -la", description: "List" })).toEqual({
      title: "Bash: ls -la",
      kind: "execute",
    });
    expect(toolInfo("Write", { file_path: "/w/a.txt", content: "x" })).toEqual({
      title: "Write: /w/a.txt",
      kind: "edit",
    });
    expect(toolInfo("Grep", { pattern: "TODO" })).toEqual({ title: "Grep: TODO", kind: "search" });
    expect(toolInfo("WebFetch", { url: "https://x.test" })).toEqual({
      title: "WebFetch: https://x.test",
      kind: "fetch",
    });
  });

  it("falls back to the bare name and kind other", () => {
    expect(toolInfo("mcp__srv__tool", { n: 1 })).toEqual({ title: "mcp__srv__tool", kind: "other" });
    expect(toolInfo("Read", null)).toEqual({ title: "Read", kind: "read" });
  });
});
