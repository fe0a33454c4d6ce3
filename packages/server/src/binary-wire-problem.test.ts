import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Origin, PublishBatchRequestSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { expect, test } from "vitest";
import { binaryWireProblem } from "./binary-wire-problem.js";

const batch = (texts: string[], expectedHead?: bigint) =>
  toBinary(
    PublishBatchRequestSchema,
    create(PublishBatchRequestSchema, {
      axonId: "a",
      expectedHead,
      events: texts.map((t) => ({ origin: Origin.USER_EVENT, source: t, eventType: "e", payload: "{}" })),
    }),
  );

test("every message protobuf-es encodes passes, and protobuf-es decodes whatever passes", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: "grapheme" }), { maxLength: 4 }),
      fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
      (texts, head) => {
        expect(binaryWireProblem(batch(texts, head ?? undefined), PublishBatchRequestSchema)).toBeUndefined();
      },
    ),
    { seed: 8 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      if (binaryWireProblem(bytes, PublishBatchRequestSchema) === undefined) {
        expect(() => fromBinary(PublishBatchRequestSchema, bytes)).not.toThrow();
      }
    }),
    { seed: 8, numRuns: 2000 },
  );
});

test("problems inside nested messages name the field path", () => {
  const valid = batch(["x"]);
  // events[0] is `0x12 len <EventInput>`; its source (field 2) is `0x12 0x01 'x'`: make 'x' invalid UTF-8.
  const bad = Buffer.from(valid);
  bad[bad.indexOf(Buffer.from([0x12, 0x01, 0x78])) + 2] = 0xff;
  expect(binaryWireProblem(bad, PublishBatchRequestSchema)).toBe(
    "openaxon.v1.PublishBatchRequest.events.source: string is not valid UTF-8",
  );
  const wrongType = Buffer.concat([valid, Buffer.from([0x13])]); // events as StartGroup
  expect(binaryWireProblem(wrongType, PublishBatchRequestSchema)).toMatch(
    /events: wrong wire type StartGroup/,
  );
  expect(binaryWireProblem(valid.subarray(0, valid.length - 1), PublishBatchRequestSchema)).toMatch(
    /malformed protobuf \(premature EOF\)/,
  );
});
