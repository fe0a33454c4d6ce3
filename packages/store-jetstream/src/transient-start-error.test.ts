import { describe, expect, it } from "vitest";
import { isTransientStartError } from "./transient-start-error.js";

const named = (name: string, message: string, extra: object = {}) =>
  Object.assign(Object.assign(new Error(message), { name }), extra);

describe("isTransientStartError", () => {
  it("retries what a cluster without a meta leader answers: timeouts, no responders, 503", () => {
    expect(isTransientStartError(named("TimeoutError", "timeout"))).toBe(true);
    expect(isTransientStartError(named("NoResponders", "no responders: '$JS.API.INFO'"))).toBe(true);
    expect(
      isTransientStartError(new Error("request failed", { cause: named("TimeoutError", "timeout") })),
    ).toBe(true);
    expect(
      isTransientStartError(named("JetStreamApiError", "JetStream system temporarily unavailable")),
    ).toBe(true);
    expect(isTransientStartError(named("JetStreamApiError", "unavailable", { code: 503 }))).toBe(true);
  });

  it("reports everything else at once", () => {
    expect(
      isTransientStartError(
        named("JetStreamApiError", "stream name already in use with a different configuration"),
      ),
    ).toBe(false);
    expect(isTransientStartError(named("NatsError", "Authorization Violation"))).toBe(false);
    expect(isTransientStartError(new Error("ECONNREFUSED 127.0.0.1:4222"))).toBe(false);
    expect(isTransientStartError("timeout")).toBe(false);
  });
});
