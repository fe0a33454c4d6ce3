import { describe, expect, it } from "vitest";
import {
  EMPTY_GATEWAY_CONFIG_FORM,
  gatewayConfigInputFromForm,
  parseHeaderLines,
} from "./gateway-config-form.js";

describe("gatewayConfigInputFromForm", () => {
  const filled = {
    ...EMPTY_GATEWAY_CONFIG_FORM,
    name: " anthropic ",
    endpoint: " https://api.anthropic.com ",
    description: " Claude ",
  };

  it("maps upstream, auth and headers; bearer sends no key even if one was typed before switching", () => {
    expect(gatewayConfigInputFromForm({ ...filled, authType: "bearer", authKey: "x-api-key" })).toEqual({
      name: "anthropic",
      endpoint: "https://api.anthropic.com",
      auth: { type: "bearer" },
      customHeaders: {},
      description: "Claude",
    });
    expect(
      gatewayConfigInputFromForm({
        ...filled,
        authType: "header",
        authKey: " x-api-key ",
        headers: "anthropic-version: 2023-06-01\n\nx-trace: a:b ",
      }),
    ).toEqual({
      name: "anthropic",
      endpoint: "https://api.anthropic.com",
      auth: { type: "header", key: "x-api-key" },
      customHeaders: { "anthropic-version": "2023-06-01", "x-trace": "a:b" },
      description: "Claude",
    });
    expect(gatewayConfigInputFromForm({ ...filled, authType: "basic", authKey: "bot" })).toMatchObject({
      auth: { type: "basic", key: "bot" },
    });
  });

  it("says which header line it cannot read; the rest is the server's to judge", () => {
    expect(gatewayConfigInputFromForm({ ...filled, headers: "anthropic-version 2023" })).toEqual({
      error: 'header "anthropic-version 2023" should read Name: value',
    });
    expect(parseHeaderLines(": v")).toEqual({ error: 'header ": v" should read Name: value' });
    expect(parseHeaderLines("X-A: 1\nx-a: 2")).toEqual({ error: 'header "x-a" is given twice' });
    // An empty endpoint or a header key missing for "header" goes to the server, whose message is shown.
    expect(gatewayConfigInputFromForm({ ...EMPTY_GATEWAY_CONFIG_FORM, authType: "header" })).toMatchObject({
      endpoint: "",
      auth: { type: "header", key: "" },
    });
  });
});
