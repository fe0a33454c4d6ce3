import { describe, expect, it } from "vitest";
import { toolInfo } from "./tool-info.js";

describe("toolInfo", () => {
  it("names Pi's built-in tools with ACP kinds and their main argument", () => {
    expect(toolInfo("bash", { command: "ls -la" })).toEqual({ title: "bash: ls -la", kind: "execute" });
    expect(toolInfo("read", { path: "a.ts", offset: 3 })).toEqual({ title: "read: a.ts", kind: "read" });
    expect(toolInfo("write", { path: "b.ts", content: "x" })).toEqual({ title: "write: b.ts", kind: "edit" });
    expect(toolInfo("grep", { pattern: "TODO" })).toEqual({ title: "grep: TODO", kind: "search" });
  });

  it("keeps an extension's tool as 'other' and copes with odd input", () => {
    expect(toolInfo("deploy", { target: 1 })).toEqual({ title: "deploy", kind: "other" });
    expect(toolInfo("bash", null)).toEqual({ title: "bash", kind: "execute" });
  });
});
