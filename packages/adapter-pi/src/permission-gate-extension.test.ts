import type { ExtensionFactory } from "@mariozechner/pi-coding-agent";
import { describe, expect, it } from "vitest";
import openaxonPermissionGate, {
  ALLOW,
  DENIED_REASON,
  PERMISSION_TITLE_PREFIX,
  type PermissionGateApi,
  REJECT,
} from "./permission-gate-extension.js";

// Compile-time: Pi accepts the gate as an extension (its ExtensionAPI satisfies PermissionGateApi).
const _asPiExtension: ExtensionFactory = openaxonPermissionGate;

type Handler = Parameters<PermissionGateApi["on"]>[1];

function loadGate(): Handler {
  let handler: Handler | undefined;
  openaxonPermissionGate({ on: (_event, h) => (handler = h) });
  return handler!;
}

/** Runs the gate's tool_call handler with a dialog answering `answer`; returns its verdict and the dialogs. */
async function gate(toolName: string, answer: string | undefined) {
  const dialogs: { title: string; options: string[]; signal?: AbortSignal }[] = [];
  const signal = new AbortController().signal;
  const verdict = await loadGate()(
    { toolName, toolCallId: "toolu_1" },
    {
      signal,
      ui: {
        select: async (title, options, opts) => {
          dialogs.push({ title, options, ...(opts?.signal && { signal: opts.signal }) });
          return answer;
        },
      },
    },
  );
  return { verdict, dialogs, signal };
}

describe("the permission gate Pi loads", () => {
  it("asks about a tool that can change something, naming the tool call, with the turn's abort signal", async () => {
    const { verdict, dialogs, signal } = await gate("bash", ALLOW);

    expect(verdict).toBeUndefined();
    expect(dialogs).toEqual([
      { title: `${PERMISSION_TITLE_PREFIX}toolu_1`, options: [ALLOW, REJECT], signal },
    ]);
  });

  it("blocks on reject, and on no answer (dialog withdrawn by an abort)", async () => {
    expect((await gate("write", REJECT)).verdict).toEqual({ block: true, reason: DENIED_REASON });
    expect((await gate("edit", undefined)).verdict).toEqual({
      block: true,
      reason: "No permission was given.",
    });
  });

  it("lets read-only built-ins through without a dialog", async () => {
    for (const tool of ["read", "grep", "find", "ls"]) {
      const { verdict, dialogs } = await gate(tool, REJECT);
      expect(verdict).toBeUndefined();
      expect(dialogs).toEqual([]);
    }
  });
});
