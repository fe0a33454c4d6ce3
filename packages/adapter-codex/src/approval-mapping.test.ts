import { describe, expect, it } from "vitest";
import {
  approvalResponseOf,
  commandApprovalOf,
  fileChangeApprovalOf,
  isMcpToolApproval,
  mcpToolApprovalOf,
} from "./approval-mapping.js";

// As Codex 0.171.0 asked in the end-to-end tests.
const asked = {
  threadId: "t1",
  turnId: "u1",
  itemId: "call_1",
  command: "/bin/bash -lc 'echo hi > hi.txt'",
  cwd: "/work",
  reason: "Write hi",
  availableDecisions: [
    "accept",
    { acceptWithExecpolicyAmendment: { execpolicy_amendment: ["/bin/bash", "-lc", "echo hi > hi.txt"] } },
    "cancel",
  ],
};

describe("approval mapping", () => {
  it("asks about the command the model wrote, with its justification, under the item's id", () => {
    const { request } = commandApprovalOf(asked);
    expect(request.toolCall).toEqual({
      toolCallId: "call_1",
      title: "echo hi > hi.txt",
      kind: "execute",
      status: "pending",
      input: { command: "echo hi > hi.txt", description: "Write hi" },
    });
    expect(request.options.map((o) => [o.optionId, o.kind])).toEqual([
      ["allow", "allow_once"],
      ["allow_always", "allow_always"],
      ["reject", "reject_once"],
    ]);
  });

  it("answers allow with accept, allow always with Codex's own remembering decision, reject with decline", () => {
    const approval = commandApprovalOf(asked);
    expect(approvalResponseOf(approval, { outcome: "selected", optionId: "allow" })).toEqual({
      decision: "accept",
    });
    expect(approvalResponseOf(approval, { outcome: "selected", optionId: "allow_always" })).toEqual({
      decision: asked.availableDecisions[1],
    });
    expect(approvalResponseOf(approval, { outcome: "selected", optionId: "reject" })).toEqual({
      decision: "decline",
    });
    expect(approvalResponseOf(approval, { outcome: "rejected" })).toEqual({ decision: "decline" });
    expect(approvalResponseOf(approval, { outcome: "selected", optionId: "bogus" })).toEqual({
      decision: "decline",
    });
  });

  it("offers no allow always when Codex has no way to remember; file changes remember for the session", () => {
    const plain = commandApprovalOf({ ...asked, reason: null, availableDecisions: ["accept", "cancel"] });
    expect(plain.request.options.map((o) => o.optionId)).toEqual(["allow", "reject"]);
    expect(plain.request.toolCall.input).toEqual({ command: "echo hi > hi.txt" });
    const patch = fileChangeApprovalOf({ threadId: "t1", turnId: "u1", itemId: "p1", reason: null });
    expect(approvalResponseOf(patch, { outcome: "selected", optionId: "allow_always" })).toEqual({
      decision: "acceptForSession",
    });
    expect(patch.request.toolCall.kind).toBe("edit");
  });

  it("asks about an MCP tool call under the announced tool call's id; accept or decline the elicitation", () => {
    // As Codex 0.171.0 asked before running the test MCP server's `add`.
    const params = {
      threadId: "t1",
      turnId: "u1",
      serverName: "calc",
      message: 'Allow the calc MCP server to run tool "add"?',
      _meta: { codex_approval_kind: "mcp_tool_call", tool_name: "add", tool_params: { a: 2, b: 3 } },
    };
    expect(isMcpToolApproval(params)).toBe(true);
    expect(isMcpToolApproval({ ...params, _meta: null })).toBe(false);
    const approval = mcpToolApprovalOf(params, "call_7");
    expect(approval.request.toolCall).toEqual({
      toolCallId: "call_7",
      title: "calc/add",
      kind: "other",
      status: "pending",
      input: { a: 2, b: 3 },
    });
    expect(approvalResponseOf(approval, { outcome: "selected", optionId: "allow" })).toEqual({
      action: "accept",
      content: {},
      _meta: null,
    });
    expect(approvalResponseOf(approval, { outcome: "rejected" })).toEqual({
      action: "decline",
      content: null,
      _meta: null,
    });
  });
});
