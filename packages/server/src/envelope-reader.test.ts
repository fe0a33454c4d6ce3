import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { expect, test } from "vitest";
import { type Envelope, EnvelopeReader } from "./envelope-reader.js";

const enveloped = (flags: number, message: Uint8Array) => {
  const buf = Buffer.alloc(5 + message.length);
  buf[0] = flags;
  buf.writeUInt32BE(message.length, 1);
  buf.set(message, 5);
  return buf;
};

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
const cut = (bytes: Buffer, offsets: number[]) => {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
};

test("envelopes come out whole and in order, wherever the chunks are cut", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ flags: fc.integer({ min: 0, max: 3 }), message: fc.uint8Array({ maxLength: 40 }) }),
        {
          maxLength: 8,
        },
      ),
      fc.array(fc.nat(), { maxLength: 12 }),
      (envelopes, offsets) => {
        const bytes = Buffer.concat(envelopes.map((e) => enveloped(e.flags, e.message)));
        const reader = new EnvelopeReader(64);
        const out: Envelope[] = [];
        for (const chunk of cut(bytes, offsets)) {
          reader.push(chunk);
          for (let next = reader.next(); next !== undefined; next = reader.next()) out.push(next);
        }
        expect(out.map((e) => ({ flags: e.flags, message: Uint8Array.from(e.message) }))).toEqual(envelopes);
        expect(reader.bufferedBytes).toBe(0);
      },
    ),
    { numRuns: 500 },
  );
});

test("a partial envelope stays buffered until the rest arrives", () => {
  const reader = new EnvelopeReader(64);
  const whole = enveloped(0, Uint8Array.from([1, 2, 3]));
  reader.push(whole.subarray(0, 6));
  expect(reader.next()).toBeUndefined();
  expect(reader.bufferedBytes).toBe(6);
  reader.push(whole.subarray(6));
  expect(Uint8Array.from(reader.next()!.message)).toEqual(Uint8Array.from([1, 2, 3]));
  expect(reader.bufferedBytes).toBe(0);
});

test("a declared length over the read limit is RESOURCE_EXHAUSTED before its bytes arrive", () => {
  const reader = new EnvelopeReader(10);
  const header = Buffer.from([0, 0, 0, 0, 11]);
  reader.push(header);
  let error: unknown;
  try {
    reader.next();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConnectError);
  expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
  expect((error as ConnectError).rawMessage).toContain("10");
});
