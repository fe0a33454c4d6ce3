import { Origin } from "@openaxon/protocol";
import { describe, expect, it } from "vitest";
import { originValue, toEvent, toSafeNumber, toUint64 } from "./convert.js";

describe("sequence conversion", () => {
  it("converts safe uint64 values exactly and refuses to round larger ones", () => {
    expect(toSafeNumber(9_007_199_254_740_991n, "sequence")).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toSafeNumber(9_007_199_254_740_992n, "sequence")).toThrow(RangeError);
  });

  it("rejects negative, fractional and unsafe numbers going out", () => {
    expect(toUint64(42, "afterSequence")).toBe(42n);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => toUint64(bad, "afterSequence")).toThrow(/afterSequence/);
    }
  });
});

describe("toEvent", () => {
  const event = toEvent({
    $typeName: "openaxon.v1.Event",
    sequence: 7n,
    axonId: "axn_1",
    timestampMs: 1_700_000_000_123n,
    origin: Origin.AGENT_EVENT,
    source: "cli",
    eventType: "user.message",
    payload: '{"text":"hi"}',
  });

  it("surfaces a plain event with numbers and origin names", () => {
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      sequence: 7,
      axonId: "axn_1",
      timestampMs: 1_700_000_000_123,
      origin: "agent",
      source: "cli",
      eventType: "user.message",
      payload: '{"text":"hi"}',
    });
  });

  it("parses the payload on demand", () => {
    expect(event.data<{ text: string }>().text).toBe("hi");
  });
});

describe("originValue", () => {
  it("maps names to the protocol enum and rejects unknown names", () => {
    expect(originValue("user")).toBe(Origin.USER_EVENT);
    expect(originValue("external")).toBe(Origin.EXTERNAL_EVENT);
    expect(() => originValue("robot" as "user")).toThrow(/unknown origin/);
  });
});
