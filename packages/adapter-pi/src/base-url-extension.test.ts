import type { ExtensionFactory } from "@mariozechner/pi-coding-agent";
import { describe, expect, it } from "vitest";
import openaxonBaseUrls, { baseUrlOverrides } from "./base-url-extension.js";

// Compile-time: Pi accepts it as an extension (its ExtensionAPI satisfies BaseUrlApi).
const _asPiExtension: ExtensionFactory = openaxonBaseUrls;

describe("the base-URL extension", () => {
  it("overrides the endpoint of each built-in provider whose variable is set, and only those", () => {
    expect(baseUrlOverrides({ ANTHROPIC_BASE_URL: "http://127.0.0.1:3129/b1", OPENAI_BASE_URL: "" })).toEqual(
      [["anthropic", "http://127.0.0.1:3129/b1"]],
    );
    expect(baseUrlOverrides({ OPENAI_BASE_URL: "http://gw/v1", PATH: "/bin" })).toEqual([
      ["openai", "http://gw/v1"],
    ]);
    expect(baseUrlOverrides({})).toEqual([]);
  });

  it("registers the overrides with Pi from its own environment", () => {
    const registered: [string, { baseUrl: string }][] = [];
    const saved = process.env.ANTHROPIC_BASE_URL;
    process.env.ANTHROPIC_BASE_URL = "http://127.0.0.1:9/x";
    try {
      openaxonBaseUrls({ registerProvider: (name, config) => registered.push([name, config]) });
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_BASE_URL;
      else process.env.ANTHROPIC_BASE_URL = saved;
    }
    expect(registered).toContainEqual(["anthropic", { baseUrl: "http://127.0.0.1:9/x" }]);
  });
});
