import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJournalRecord, encodeJournalRecord, journalRecordBytes } from "./journal-record.js";
import type { KvOp } from "./kv-backend.js";

const salt = Buffer.alloc(16, 7);
const op: fc.Arbitrary<KvOp> = fc.oneof(
  fc.record({
    type: fc.constant("put" as const),
    key: fc.string({ unit: "binary" }),
    value: fc.uint8Array(),
  }),
  fc.record({ type: fc.constant("del" as const), key: fc.string({ unit: "binary" }) }),
);
const plain = (ops: readonly KvOp[]) =>
  ops.map((o) => (o.type === "put" ? { ...o, value: [...o.value] } : o));

describe("journal records", () => {
  it("decode to the commit number and the exact ops, wherever they sit in the file", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 40 }),
        fc.array(op, { maxLength: 8 }),
        fc.nat({ max: 64 }),
        (number, ops, at) => {
          const record = encodeJournalRecord(salt, number, ops);
          expect(record.length).toBe(journalRecordBytes(ops));
          const file = Buffer.concat([Buffer.alloc(at, 0), record, Buffer.alloc(16, 0)]);
          const decoded = decodeJournalRecord(salt, file, at);
          expect(decoded?.length).toBe(record.length);
          expect(decoded?.record.number).toBe(number);
          expect(plain(decoded!.record.ops)).toEqual(plain(ops));
        },
      ),
    );
  });

  it("are not found when any byte is damaged, cut short, or read with another journal's salt", () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (ops, where, flip) => {
          const record = encodeJournalRecord(salt, 42, ops);
          const damaged = Buffer.from(record);
          const at = where % damaged.length;
          damaged[at] = damaged[at]! ^ flip;
          expect(decodeJournalRecord(salt, damaged, 0)).toBeUndefined();
          expect(decodeJournalRecord(salt, record.subarray(0, record.length - 1), 0)).toBeUndefined();
          expect(decodeJournalRecord(Buffer.alloc(16, 8), record, 0)).toBeUndefined();
        },
      ),
    );
  });
});
