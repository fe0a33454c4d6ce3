import { describe, expect, it } from "vitest";
import { ALLOW, PERMISSION_TITLE_PREFIX, REJECT } from "./permission-gate-extension.js";
import { dialogResponseOf, permissionRequestOf, permissionToolCallId } from "./permission-mapping.js";

describe("permission mapping", () => {
  it("recognises only the gate's select dialogs", () => {
    const request = (method: string, title?: string) => ({
      type: "extension_ui_request" as const,
      id: "d1",
      method,
      ...(title !== undefined && { title }),
    });
    expect(permissionToolCallId(request("select", `${PERMISSION_TITLE_PREFIX}toolu_9`))).toBe("toolu_9");
    expect(permissionToolCallId(request("confirm", `${PERMISSION_TITLE_PREFIX}toolu_9`))).toBeUndefined();
    expect(permissionToolCallId(request("select", "Pick a theme"))).toBeUndefined();
    expect(permissionToolCallId(request("select"))).toBeUndefined();
  });

  it("asks the broker about the tool call already published, with one-shot options", () => {
    const request = permissionRequestOf({
      type: "tool_call",
      toolCallId: "t1",
      title: "bash: rm x",
      kind: "execute",
      status: "pending",
      input: { command: "rm x" },
    });
    expect(request).toEqual({
      toolCall: {
        toolCallId: "t1",
        title: "bash: rm x",
        kind: "execute",
        status: "pending",
        input: { command: "rm x" },
      },
      options: [
        { optionId: ALLOW, name: "Allow", kind: "allow_once" },
        { optionId: REJECT, name: "Reject", kind: "reject_once" },
      ],
    });
  });

  it("answers allow only when the allow option was selected", () => {
    expect(dialogResponseOf("d1", { outcome: "selected", optionId: ALLOW })).toEqual({
      type: "extension_ui_response",
      id: "d1",
      value: ALLOW,
    });
    for (const decision of [
      { outcome: "rejected" as const },
      { outcome: "selected" as const, optionId: "bogus" },
    ]) {
      expect(dialogResponseOf("d1", decision)).toMatchObject({ value: REJECT });
    }
  });
});
