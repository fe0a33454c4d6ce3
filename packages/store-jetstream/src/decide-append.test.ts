import { describe, expect, it } from "vitest";
import { decideAppend } from "./decide-append.js";

const last = { first: 5, count: 3, timestampMs: 1000, idempotencyKey: "k-last" };

describe("decideAppend", () => {
  it("answers a key first (even when the head moved), then the expected head, then publishes after the head", () => {
    expect(
      decideAppend({
        last,
        options: { idempotencyKey: "k-last", expectedHead: 1 },
        indexed: undefined,
        now: 5,
      }),
    ).toEqual({
      kind: "duplicate",
      result: { firstSequence: 5, lastSequence: 7, timestampMs: 1000, duplicate: true },
    });
    const indexed = { firstSequence: 2, lastSequence: 2, timestampMs: 900, duplicate: false };
    expect(decideAppend({ last, options: { idempotencyKey: "k-old" }, indexed, now: 5 })).toEqual({
      kind: "duplicate",
      result: { ...indexed, duplicate: true },
    });
    expect(decideAppend({ last, options: { expectedHead: 6 }, indexed: undefined, now: 5 })).toEqual({
      kind: "head_mismatch",
      currentHead: 7,
    });
    expect(decideAppend({ last, options: { expectedHead: 7 }, indexed: undefined, now: 2000 })).toEqual({
      kind: "publish",
      first: 8,
      timestampMs: 2000,
    });
  });

  it("never lets timestamps go backwards when a node's clock is behind", () => {
    expect(decideAppend({ last, options: undefined, indexed: undefined, now: 10 })).toMatchObject({
      timestampMs: 1000,
    });
  });
});
