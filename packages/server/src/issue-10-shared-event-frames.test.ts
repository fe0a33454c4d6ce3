import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { SubscribeResponseSchema } from "@openaxon/protocol";
import type { Origin, StoredEvent } from "@openaxon/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodedCommit, sharedEventBatch, sharedEventFrames } from "./shared-event-frames.js";
import { eventToProto } from "./to-proto.js";

// Issue 10 item 4: live commits are encoded once and their bytes shared by every subscriber's
// frames. Whatever way the commits are cut into frames, each frame must be byte for byte what
// protobuf-es writes for the same events, and the frames together must hold every event once, in
// order.

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.tuple(fc.constantFrom("x", "é", "😀"), fc.integer({ min: 100, max: 3000 })).map(([c, n]) => c.repeat(n)),
);
const commitsArb = fc
  .array(
    fc.array(
      fc.record({
        axonId: fc.constantFrom("axn_01JD2X3Y4Z5A6B7C8D9E0F1G2H", "é"),
        timestampMs: fc.integer({ min: 0, max: 2 ** 42 }),
        origin: fc.constantFrom<Origin>(0, 1, 2, 3, 4),
        source: fc.constantFrom("cli", "", "😀"),
        eventType: fc.constantFrom("user.message", "x"),
        payload: text,
      }),
      { minLength: 1, maxLength: 8 },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((commits) => {
    let sequence = 0;
    return commits.map((commit) => commit.map((e): StoredEvent => ({ ...e, sequence: ++sequence })));
  });

describe("issue 10: shared live frames", () => {
  it("are byte for byte protobuf-es's encoding of the same events, each event once, in order", () => {
    fc.assert(
      fc.property(commitsArb, fc.integer({ min: 1, max: 20_000 }), (commits, maxFrameBytes) => {
        const all = commits.flat();
        let next = 0;
        for (const pieces of sharedEventFrames(commits, maxFrameBytes)) {
          const wire = toBinary(
            SubscribeResponseSchema,
            create(SubscribeResponseSchema, { kind: { case: "events", value: sharedEventBatch(pieces) } }),
          );
          const decoded = fromBinary(SubscribeResponseSchema, wire);
          expect(decoded.kind.case).toBe("events");
          const events = decoded.kind.case === "events" ? decoded.kind.value.events : [];
          expect(events.length).toBeGreaterThan(0);
          const expected = all.slice(next, next + events.length);
          const real = toBinary(
            SubscribeResponseSchema,
            create(SubscribeResponseSchema, {
              kind: { case: "events", value: { events: expected.map(eventToProto) } },
            }),
          );
          expect(Buffer.from(wire).equals(Buffer.from(real))).toBe(true);
          // A frame exceeds the cap only when it holds a single event larger than the cap.
          const size = pieces.reduce((n, p) => n + p.length, 0);
          if (events.length > 1) expect(size).toBeLessThanOrEqual(maxFrameBytes);
          next += events.length;
        }
        expect(next).toBe(all.length);
      }),
      { numRuns: 150 },
    );
  });

  it("encodes a commit once, however many subscribers frame it, and frames share its bytes", () => {
    const commit: StoredEvent[] = Array.from({ length: 5 }, (_, i) => ({
      axonId: "axn_1",
      sequence: i + 1,
      timestampMs: 1,
      origin: 1,
      source: "s",
      eventType: "t",
      payload: "{}",
    }));
    const first = encodedCommit(commit);
    expect(encodedCommit(commit)).toBe(first);
    const [a] = [...sharedEventFrames([commit], 64 * 1024)];
    const [b] = [...sharedEventFrames([commit], 64 * 1024)];
    expect(a![0]!.buffer).toBe(first.bytes.buffer);
    expect(b![0]!.buffer).toBe(first.bytes.buffer);
  });
});
