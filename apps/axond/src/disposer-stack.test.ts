import { describe, expect, it } from "vitest";
import { DisposerStack } from "./disposer-stack.js";

describe("DisposerStack", () => {
  it("closes newest first, once, and goes on past a failing close", async () => {
    const stack = new DisposerStack();
    const closed: string[] = [];
    const failures: string[] = [];
    stack.use("store", "s", async (r) => void closed.push(r));
    stack.use("gateway", "g", async () => {
      throw new Error("socket busy");
    });
    stack.use("server", "v", async (r) => void closed.push(r));
    const onError = (name: string, error: unknown) => failures.push(`${name}: ${(error as Error).message}`);
    await Promise.all([stack.dispose(onError), stack.dispose(onError)]);
    expect(closed).toEqual(["v", "s"]);
    expect(failures).toEqual(["gateway: socket busy"]);
    await stack.dispose(onError);
    expect(closed).toEqual(["v", "s"]);
  });
});
