import { create, fromBinary } from "@bufbuild/protobuf";
import { type Event, EventSchema, SubscribeResponseSchema } from "@openaxon/protocol";
import type { Origin, StoredEvent } from "@openaxon/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { preEncodedEventBatch } from "./event-batch-wire.js";
import { encodedCommit, sharedEventBatch, sharedEventFrames } from "./shared-event-frames.js";
import { envelopedCommit, envelopedEventPiece, subscribeResponseChunks } from "./subscribe-response-wire.js";
import { eventToProto } from "./to-proto.js";

// Issue 10 (fan-out): the gRPC Subscribe fast path writes SubscribeResponse messages it enveloped
// itself, a live commit's message shared by every subscriber. Whatever the frame, the bytes must
// be well-formed envelopes whose messages hold exactly the frame's events, in order.

const commitsArb = fc
  .array(
    fc.array(
      fc.record({
        axonId: fc.constantFrom("axn_01JD2X3Y4Z5A6B7C8D9E0F1G2H", "é"),
        timestampMs: fc.integer({ min: 0, max: 2 ** 42 }),
        origin: fc.constantFrom<Origin>(0, 1, 2, 3, 4),
        source: fc.constantFrom("cli", "", "😀"),
        eventType: fc.constantFrom("user.message", "x"),
        payload: fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.integer({ min: 100, max: 3000 }).map((n) => "é".repeat(n)),
        ),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((commits) => {
    let sequence = 0;
    return commits.map((commit) => commit.map((e): StoredEvent => ({ ...e, sequence: ++sequence })));
  });

/** Splits the written bytes into envelopes and decodes each message's events. */
function decodeWritten(chunks: readonly Buffer[]): Event[][] {
  const bytes = Buffer.concat(chunks);
  const messages: Event[][] = [];
  let at = 0;
  while (at < bytes.length) {
    expect(bytes[at]).toBe(0); // uncompressed, not an end-of-stream envelope
    const length = bytes.readUInt32BE(at + 1);
    const message = fromBinary(SubscribeResponseSchema, bytes.subarray(at + 5, at + 5 + length));
    expect(message.kind.case).toBe("events");
    messages.push(message.kind.case === "events" ? message.kind.value.events : []);
    at += 5 + length;
  }
  expect(at).toBe(bytes.length);
  return messages;
}

const expected = (events: readonly StoredEvent[]) => events.map((e) => create(EventSchema, eventToProto(e)));

describe("issue 10: Subscribe fast path wire bytes", () => {
  it("shared live frames become whole enveloped messages holding every event once, in order", () => {
    fc.assert(
      fc.property(commitsArb, fc.integer({ min: 1, max: 20_000 }), (commits, maxFrameBytes) => {
        const written: Event[] = [];
        for (const pieces of sharedEventFrames(commits, maxFrameBytes)) {
          const frame = { kind: { case: "events" as const, value: sharedEventBatch(pieces) } };
          const messages = decodeWritten(subscribeResponseChunks(frame));
          expect(messages.length).toBe(pieces.length);
          written.push(...messages.flat());
        }
        expect(written).toEqual(expected(commits.flat()));
      }),
      { numRuns: 150 },
    );
  });

  it("a commit's message is built once: every subscriber gets the same Buffer", () => {
    const [commit] = fc.sample(commitsArb, 1)[0]!;
    const [pieces] = [...sharedEventFrames([commit!], 1 << 20)];
    const first = subscribeResponseChunks({ kind: { case: "events", value: sharedEventBatch(pieces!) } });
    const second = subscribeResponseChunks({ kind: { case: "events", value: sharedEventBatch(pieces!) } });
    expect(second[0]).toBe(first[0]);
    expect(envelopedEventPiece(pieces![0]!)).toBe(first[0]);
  });

  it("the live sink's message for a commit is the commit's shared message, or nothing above the limit", () => {
    fc.assert(
      fc.property(commitsArb, fc.integer({ min: 0, max: 40_000 }), (commits, limit) => {
        for (const commit of commits) {
          const message = envelopedCommit(commit, limit);
          const { bytes } = encodedCommit(commit);
          if (bytes.length > limit) {
            expect(message).toBeUndefined();
            expect(encodedCommit(commit).enveloped).toBeUndefined();
            continue;
          }
          // The very Buffer the generator path writes for the same commit in one piece.
          expect(message).toBe(envelopedEventPiece(bytes));
          expect(envelopedCommit(commit, limit)).toBe(message);
          expect(decodeWritten([message!]).flat()).toEqual(expected(commit));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("replay batches and control frames decode to the same message protobuf-es would send", () => {
    fc.assert(
      fc.property(commitsArb, (commits) => {
        const events = commits.flat();
        const frame = { kind: { case: "events" as const, value: preEncodedEventBatch(events) } };
        expect(decodeWritten(subscribeResponseChunks(frame)).flat()).toEqual(expected(events));
      }),
      { numRuns: 50 },
    );
    const [caughtUp] = subscribeResponseChunks({ kind: { case: "caughtUp", value: { headSequence: 7n } } });
    const decoded = fromBinary(SubscribeResponseSchema, caughtUp!.subarray(5));
    expect(caughtUp!.readUInt32BE(1)).toBe(caughtUp!.length - 5);
    expect(decoded.kind).toMatchObject({ case: "caughtUp", value: { headSequence: 7n } });
  });
});
