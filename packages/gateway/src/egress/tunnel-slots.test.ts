import { describe, expect, it } from "vitest";
import { TunnelSlots } from "./tunnel-slots.js";

describe("TunnelSlots", () => {
  it("caps a runtime and frees a slot exactly once per release", () => {
    const slots = new TunnelSlots();
    const first = slots.tryAcquire("rt", 2)!;
    slots.tryAcquire("rt", 2);
    expect(slots.tryAcquire("rt", 2)).toBeUndefined();
    expect(slots.tryAcquire("other", 2)).toBeDefined();
    first();
    first();
    expect(slots.inUse("rt")).toBe(1);
    expect(slots.tryAcquire("rt", 2)).toBeDefined();
    expect(slots.tryAcquire("rt", 2)).toBeUndefined();
  });
});
