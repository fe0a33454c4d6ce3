import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BASE_URL_EXTENSION_PATH, PERMISSION_GATE_PATH, piArgs } from "./launch-args.js";

describe("piArgs", () => {
  it("starts RPC mode offline with both extensions, then the model and the session to reopen", () => {
    expect(piArgs({ model: "anthropic/claude-sonnet-4-5" }, "019a-1")).toEqual([
      "--mode",
      "rpc",
      "--offline",
      "--extension",
      PERMISSION_GATE_PATH,
      "--extension",
      BASE_URL_EXTENSION_PATH,
      "--model",
      "anthropic/claude-sonnet-4-5",
      "--session",
      "019a-1",
    ]);
    expect(piArgs({}, undefined)).toEqual([
      "--mode",
      "rpc",
      "--offline",
      "--extension",
      PERMISSION_GATE_PATH,
      "--extension",
      BASE_URL_EXTENSION_PATH,
    ]);
  });

  it("points at the extensions beside this module", () => {
    expect(PERMISSION_GATE_PATH).toMatch(/permission-gate-extension\.(ts|js)$/);
    expect(BASE_URL_EXTENSION_PATH).toMatch(/base-url-extension\.(ts|js)$/);
    expect(existsSync(PERMISSION_GATE_PATH) && existsSync(BASE_URL_EXTENSION_PATH)).toBe(true);
  });
});
