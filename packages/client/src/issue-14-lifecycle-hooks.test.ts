import { create } from "@bufbuild/protobuf";
import { RuntimeSchema } from "@openaxon/protocol";
import { describe, expect, it } from "vitest";
import { lifecycleToWire, toRuntime, updateRuntimeToWire } from "./runtime-convert.js";

describe("lifecycle hooks in the SDK", () => {
  const beforeSuspend = { command: ["git", "commit", "-am", "wip"], deadlineMs: 30_000 };
  const afterResume = { command: ["sh", "-c", "make warm"], deadlineMs: 5000 };

  it("sends before_suspend and after_resume, and leaves them out when not given", () => {
    expect(lifecycleToWire({ idleSuspendSeconds: 60, beforeSuspend, afterResume })).toMatchObject({
      beforeSuspend,
      afterResume,
    });
    const plain = lifecycleToWire({ idleSuspendSeconds: 60 });
    expect("beforeSuspend" in plain || "afterResume" in plain).toBe(false);
    expect(updateRuntimeToWire("rt_1", { lifecycle: { afterResume } })).toMatchObject({
      lifecycle: { afterResume },
      updateMask: { paths: ["lifecycle"] },
    });
  });

  it("shows a runtime's hooks, and none when it has none", () => {
    const message = create(RuntimeSchema, {
      id: "rt_1",
      lifecycle: { beforeSuspend: { command: ["true"], deadlineMs: 1000 } },
    });
    expect(toRuntime(message).lifecycle).toMatchObject({
      beforeSuspend: { command: ["true"], deadlineMs: 1000 },
    });
    expect(toRuntime(message).lifecycle.afterResume).toBeUndefined();
  });
});
