import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DENIED_MESSAGE, permissionRequestOf, permissionResultOf } from "./permission-mapping.js";
import type { CanUseToolRequest } from "./stream-json.js";

const bash: CanUseToolRequest = {
  subtype: "can_use_tool",
  tool_name: "Bash",
  input: { command: "echo hi > hi.txt" },
  tool_use_id: "toolu_1",
};
const suggestions = [{ type: "addDirectories", directories: ["/w"], destination: "session" }];

describe("permissionRequestOf", () => {
  it("describes the tool call and offers allow and reject", () => {
    expect(permissionRequestOf(bash)).toEqual({
      toolCall: {
        toolCallId: "toolu_1",
        title: "Bash: echo hi > hi.txt",
        kind: "execute",
        status: "pending",
        input: { command: "echo hi > hi.txt" },
      },
      options: [
        { optionId: "allow", name: "Allow", kind: "allow_once" },
        { optionId: "reject", name: "Reject", kind: "reject_once" },
      ],
    });
  });

  it("offers allow always when Claude Code suggests rules to remember the choice", () => {
    const kinds = permissionRequestOf({ ...bash, permission_suggestions: suggestions }).options.map(
      (o) => o.kind,
    );
    expect(kinds).toEqual(["allow_once", "allow_always", "reject_once"]);
  });
});

describe("permissionResultOf", () => {
  it("allows with the original input, remembering the suggested rules for allow always", () => {
    expect(permissionResultOf({ outcome: "selected", optionId: "allow" }, bash)).toEqual({
      behavior: "allow",
      updatedInput: bash.input,
      toolUseID: "toolu_1",
    });
    const request = { ...bash, permission_suggestions: suggestions };
    expect(permissionResultOf({ outcome: "selected", optionId: "allow_always" }, request)).toEqual({
      behavior: "allow",
      updatedInput: bash.input,
      updatedPermissions: suggestions,
      toolUseID: "toolu_1",
    });
  });

  it("denies without interrupting, so the model hears the refusal and goes on", () => {
    expect(permissionResultOf({ outcome: "rejected" }, bash)).toEqual({
      behavior: "deny",
      message: DENIED_MESSAGE,
      toolUseID: "toolu_1",
    });
  });

  it("denies anything that is not one of its allow options", () => {
    fc.assert(
      fc.property(fc.string(), (optionId) => {
        fc.pre(optionId !== "allow" && optionId !== "allow_always");
        expect(permissionResultOf({ outcome: "selected", optionId }, bash).behavior).toBe("deny");
      }),
    );
  });
});
