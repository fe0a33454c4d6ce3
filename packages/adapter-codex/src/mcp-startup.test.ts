import { describe, expect, it } from "vitest";
import { McpStartup } from "./mcp-startup.js";

const never = new Promise<void>(() => undefined);

describe("McpStartup", () => {
  it("settles once every named server is ready, failed or cancelled, reporting the failures", async () => {
    const startup = new McpStartup();
    startup.update("a", "starting", null);
    const settled = startup.settle(["a", "b"], never);
    startup.update("a", "ready", null);
    startup.update("other", "starting", null);
    startup.update("b", "failed", "spawn ENOENT");

    expect(await settled).toEqual({ failed: [{ name: "b", error: "spawn ENOENT" }], pending: [] });
  });

  it("gives up at the deadline and names the servers still starting or never heard of", async () => {
    const startup = new McpStartup();
    startup.update("a", "starting", null);
    let pass: () => void = () => undefined;
    const deadline = new Promise<void>((resolve) => {
      pass = resolve;
    });
    const settled = startup.settle(["a", "b"], deadline);
    pass();

    expect(await settled).toEqual({ failed: [], pending: ["a", "b"] });
    expect(await startup.settle([], never)).toEqual({ failed: [], pending: [] });
  });
});
