import type { SessionConfigOption } from "@agentclientprotocol/sdk";
import { describe, expect, it } from "vitest";
import { modelSelection } from "./model-selection.js";

const modelOption = (currentValue: string, values: string[]): SessionConfigOption => ({
  type: "select",
  id: "model",
  name: "Model",
  category: "model",
  currentValue,
  options: values.map((value) => ({ value, name: value })),
});

describe("modelSelection", () => {
  it("uses the standard model config option when the agent offers one", () => {
    const info = { configOptions: [modelOption("sonnet", ["sonnet", "opus"])] };
    expect(modelSelection(info, "opus")).toEqual({ kind: "config-option", configId: "model", value: "opus" });
    expect(modelSelection(info, "sonnet")).toEqual({ kind: "current" });
  });

  it("finds values inside option groups, and refuses a model outside the closed list", () => {
    const grouped: SessionConfigOption = {
      type: "select",
      id: "model",
      name: "Model",
      category: "model",
      currentValue: "a",
      options: [
        {
          group: "fast",
          name: "Fast",
          options: [
            { value: "a", name: "A" },
            { value: "b", name: "B" },
          ],
        },
      ],
    };
    expect(modelSelection({ configOptions: [grouped] }, "b")).toMatchObject({
      kind: "config-option",
      value: "b",
    });
    expect(modelSelection({ configOptions: [grouped] }, "c")).toEqual({
      kind: "not-offered",
      offered: ["a", "b"],
    });
  });

  it("ignores config options of other categories", () => {
    const mode = { ...modelOption("x", ["x"]), category: "mode" } as SessionConfigOption;
    expect(modelSelection({ configOptions: [mode] }, "x")).toEqual({ kind: "unsupported" });
  });

  it("falls back to the unstable session/set_model for any name when only `models` is sent", () => {
    const info = { models: { currentModelId: "default", availableModels: [{ modelId: "default" }] } };
    expect(modelSelection(info, "claude-test-model")).toEqual({
      kind: "set-model",
      modelId: "claude-test-model",
    });
    expect(modelSelection(info, "default")).toEqual({ kind: "current" });
  });

  it("says when the agent offers no model selection at all", () => {
    expect(modelSelection({}, "m")).toEqual({ kind: "unsupported" });
    expect(modelSelection({ configOptions: null, models: null }, "m")).toEqual({ kind: "unsupported" });
  });
});
