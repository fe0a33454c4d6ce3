import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionGzip } from "@connectrpc/connect-node";
import { AppendRequestSchema } from "@openaxon/protocol";
import { expect, test } from "vitest";
import { checkedStream } from "./strict-binary-decoding.js";

const LIMIT = 1024 * 1024;

const envelope = (message: Uint8Array, flags = 0) => {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
};
const request = (batchId: number) =>
  toBinary(AppendRequestSchema, create(AppendRequestSchema, { batchId: BigInt(batchId), axonId: "a" }));
const plain = (batchId: number) => envelope(request(batchId));
const gzipped = (batchId: number) => envelope(gzipSync(request(batchId)), 0x01);

/** gzip that counts its decompressions. */
function countingGzip(): Compression & { readonly calls: () => number } {
  let calls = 0;
  return {
    name: "gzip",
    compress: compressionGzip.compress,
    decompress: (bytes, readMaxBytes) => {
      calls++;
      return compressionGzip.decompress(bytes, readMaxBytes);
    },
    calls: () => calls,
  };
}

async function* chunks(...parts: Buffer[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

/** Everything the stream hands on, joined, or the error it ends with. */
async function drain(stream: AsyncIterable<Uint8Array>): Promise<Buffer | ConnectError> {
  const out: Uint8Array[] = [];
  try {
    for await (const piece of stream) out.push(piece);
  } catch (error) {
    return error as ConnectError;
  }
  return Buffer.concat(out);
}

test("a compressed message is expanded only once the handler has taken everything before it", async () => {
  const gzip = countingGzip();
  const stream = checkedStream(
    chunks(Buffer.concat([plain(1), gzipped(2), gzipped(3), gzipped(4)])),
    AppendRequestSchema,
    LIMIT,
    gzip,
  );
  const taken: Buffer[] = [];
  const decompressedWhenTaken: number[] = [];
  for await (const piece of stream) {
    taken.push(Buffer.from(piece));
    decompressedWhenTaken.push(gzip.calls());
  }
  // The plain run first, then each expanded message as a header and a body, one at a time.
  expect(decompressedWhenTaken).toEqual([0, 1, 1, 2, 2, 3, 3]);
  expect(Buffer.concat(taken)).toEqual(Buffer.concat([plain(1), plain(2), plain(3), plain(4)]));
});

test("a message declared over the read limit fails the stream after the ones before it, without waiting for its bytes", async () => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(LIMIT + 1, 1);
  async function* neverEnds(): AsyncGenerator<Uint8Array> {
    yield Buffer.concat([plain(1), header]);
    await new Promise(() => {});
  }
  const stream = checkedStream(neverEnds(), AppendRequestSchema, LIMIT, null);
  const iterator = stream[Symbol.asyncIterator]();
  expect(Buffer.from((await iterator.next()).value as Uint8Array)).toEqual(plain(1));
  const failure = await iterator.next().catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ConnectError);
  expect((failure as ConnectError).code).toBe(Code.ResourceExhausted);
});

test("a message cut into one-byte chunks comes out whole and checked", async () => {
  const body = Buffer.concat([plain(1), gzipped(2), plain(3)]);
  const oneByteChunks = Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
  const out = await drain(
    checkedStream(chunks(...oneByteChunks), AppendRequestSchema, LIMIT, countingGzip()),
  );
  expect(out).toEqual(Buffer.concat([plain(1), plain(2), plain(3)]));
});

test("a malformed compressed message is INVALID_ARGUMENT after the messages before it", async () => {
  const stream = checkedStream(
    chunks(
      Buffer.concat([plain(1), envelope(gzipSync(Uint8Array.from([0x12, 0x05, 0x61])), 0x01), plain(3)]),
    ),
    AppendRequestSchema,
    LIMIT,
    countingGzip(),
  );
  const taken: Buffer[] = [];
  const failure = await (async () => {
    try {
      for await (const piece of stream) taken.push(Buffer.from(piece));
    } catch (error) {
      return error as ConnectError;
    }
  })();
  expect(Buffer.concat(taken)).toEqual(plain(1));
  expect(failure?.code).toBe(Code.InvalidArgument);
  expect(failure?.rawMessage).toContain("malformed protobuf");
});

test("an envelope header split across chunks is read whole: a message over the limit fails as its fifth header byte arrives", async () => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(LIMIT + 1, 1);
  for (const cuts of [
    [2, 3],
    [1, 1, 1, 1, 1],
  ]) {
    async function* headerInPieces(): AsyncGenerator<Uint8Array> {
      yield plain(1);
      let at = 0;
      for (const n of cuts) {
        yield header.subarray(at, at + n);
        at += n;
      }
      await new Promise(() => {}); // the 2^32-byte body never comes
    }
    const out = await drain(checkedStream(headerInPieces(), AppendRequestSchema, LIMIT, null));
    expect(out, `cut ${cuts}`).toBeInstanceOf(ConnectError);
    expect((out as ConnectError).code).toBe(Code.ResourceExhausted);
  }
});

test("a message whose header is split across chunks comes out once it is whole", async () => {
  const second = plain(2);
  const out = await drain(
    checkedStream(
      chunks(Buffer.concat([plain(1), second.subarray(0, 2)]), second.subarray(2, 5), second.subarray(5)),
      AppendRequestSchema,
      LIMIT,
      null,
    ),
  );
  expect(out).toEqual(Buffer.concat([plain(1), second]));
});
