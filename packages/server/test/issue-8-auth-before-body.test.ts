import http from "node:http";
import http2 from "node:http2";
import { createGzip, constants as zlibConstants } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { PublishRequestSchema } from "@openaxon/protocol";
import { afterEach, describe, expect, test } from "vitest";
import { type Harness, readAll, startHarness, userEvent } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PUBLISH = "/openaxon.v1.AxonService/Publish";
const KEY = "s3cret-key";
/** Far beyond Publish's read limit (2 × 4 MiB payload + 1 MiB) once decompressed. */
const EXPANDED_BYTES = 64 * 1024 * 1024;

/** gzip of `prefix` + `filler` repeated up to `total` bytes + `suffix`, streamed (never held expanded). */
async function gzipOf(prefix: Buffer, filler: number, total: number, suffix: Buffer): Promise<Buffer> {
  const gzip = createGzip({ level: zlibConstants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on("end", resolve);
    gzip.on("error", reject);
  });
  const chunk = Buffer.alloc(1024 * 1024, filler);
  gzip.write(prefix);
  for (let written = 0; written < total; written += chunk.length) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end(suffix);
  await done;
  return Buffer.concat(out);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function grpcEnvelope(compressed: boolean, message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(compressed ? 1 : 0, 0);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

const rssMiB = () => process.memoryUsage().rss / 1024 / 1024;

describe("issue 8: the key is checked before the body is read", () => {
  test("Connect (HTTP/1.1): an unauthenticated, never-finished gzip body is answered 401 while the client still holds it open", async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const { port } = h.server;
    const firstChunk = (
      await gzipOf(Buffer.from('{"payload":"'), 0x41, 8 * 1024 * 1024, Buffer.alloc(0))
    ).subarray(0, 4096);
    const request = http.request({
      host: "127.0.0.1",
      port,
      path: PUBLISH,
      method: "POST",
      headers: {
        "content-type": "application/json",
        "connect-protocol-version": "1",
        "content-encoding": "gzip",
        // Announces a large body; the test sends 4 KiB of it and never the rest.
        "content-length": String(64 * 1024 * 1024),
      },
    });
    request.on("error", () => {}); // the server closes the connection after answering
    const answered = new Promise<http.IncomingMessage>((resolve) => request.on("response", resolve));
    request.write(firstChunk);
    request.flushHeaders();
    const response = await answered;
    // The answer came while the request body is still unfinished: the server did not wait for it.
    expect(request.writableEnded).toBe(false);
    expect(response.statusCode).toBe(401);
    let text = "";
    response.setEncoding("utf8");
    for await (const chunk of response) text += chunk;
    expect(JSON.parse(text)).toMatchObject({ code: "unauthenticated" });
    expect(request.writableEnded).toBe(false);
    request.destroy();
  });

  test("gRPC (node:http2): an unauthenticated, never-finished gzip message gets grpc-status 16 while the stream is still open", async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const session = http2.connect(h.server.url);
    session.on("error", () => {});
    try {
      const stream = session.request({
        ":method": "POST",
        ":path": PUBLISH,
        "content-type": "application/grpc",
        "grpc-encoding": "gzip",
        te: "trailers",
      });
      stream.on("error", () => {});
      // An envelope announcing a 64 KiB compressed message, of which only the first 1 KiB is sent.
      const header = Buffer.alloc(5);
      header.writeUInt8(1, 0);
      header.writeUInt32BE(64 * 1024, 1);
      stream.write(Buffer.concat([header, Buffer.alloc(1024, 0x41)]));
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) =>
        stream.on("response", resolve),
      );
      // The client never ended its side: the server answered from the headers alone.
      expect(stream.writableEnded).toBe(false);
      expect(headers[":status"]).toBe(200);
      expect(headers["grpc-status"]).toBe(String(Code.Unauthenticated));
      expect(decodeURIComponent(String(headers["grpc-message"]))).toMatch(/key/i);
      stream.close();
    } finally {
      session.close();
    }
  });

  test("a key-holding client's gzip bomb to Publish gets RESOURCE_EXHAUSTED, the log is unchanged, memory stays bounded", async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const axonId = (await h.client.createAxon({})).axon!.id;
    await h.client.publish({ axonId, ...userEvent({ n: 1 }) });
    const before = await readAll(h.client, axonId);

    // Connect JSON: {"axonId":…,"payload":"AAAA…(64 MiB)"} gzipped.
    const jsonBomb = await gzipOf(
      Buffer.from(
        `{"axonId":"${axonId}","origin":"ORIGIN_USER_EVENT","source":"t","eventType":"user.message","payload":"`,
      ),
      0x41,
      EXPANDED_BYTES,
      Buffer.from('"}'),
    );
    // gRPC: the binary PublishRequest with a 64 MiB payload field (5), gzipped in a compressed envelope.
    const head = Buffer.from(
      toBinary(PublishRequestSchema, create(PublishRequestSchema, { axonId, ...userEvent({}), payload: "" })),
    );
    const protoBomb = await gzipOf(
      Buffer.concat([head, Buffer.from([(5 << 3) | 2]), varint(EXPANDED_BYTES)]),
      0x41,
      EXPANDED_BYTES,
      Buffer.alloc(0),
    );
    expect(jsonBomb.length).toBeLessThan(128 * 1024);
    expect(protoBomb.length).toBeLessThan(128 * 1024);

    global.gc?.();
    const rssBefore = rssMiB();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMiB());
    }, 5);
    try {
      const connect = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(
          {
            host: "127.0.0.1",
            port: h!.server.port,
            path: PUBLISH,
            method: "POST",
            headers: {
              authorization: `Bearer ${KEY}`,
              "content-type": "application/json",
              "connect-protocol-version": "1",
              "content-encoding": "gzip",
            },
          },
          (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => {
              body += chunk;
            });
            response.on("end", () => resolve({ status: response.statusCode!, body }));
          },
        );
        request.on("error", reject);
        request.end(jsonBomb);
      });
      expect(connect.status).toBe(429); // Connect's HTTP status for resource_exhausted
      expect(JSON.parse(connect.body)).toMatchObject({ code: "resource_exhausted" });

      const grpc = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const session = http2.connect(h!.server.url);
        session.on("error", reject);
        const stream = session.request({
          ":method": "POST",
          ":path": PUBLISH,
          authorization: `Bearer ${KEY}`,
          "content-type": "application/grpc",
          "grpc-encoding": "gzip",
          te: "trailers",
        });
        let status: http2.IncomingHttpHeaders = {};
        stream.on("response", (headers) => {
          status = headers;
        });
        stream.on("trailers", (trailers) => {
          status = { ...status, ...trailers };
        });
        stream.on("error", reject);
        stream.on("close", () => {
          session.close();
          resolve(status);
        });
        stream.resume();
        stream.end(grpcEnvelope(true, protoBomb));
      });
      expect(grpc["grpc-status"]).toBe(String(Code.ResourceExhausted));
      expect(decodeURIComponent(String(grpc["grpc-message"]))).toMatch(/exceed|limit|max/i);
    } finally {
      clearInterval(sampler);
    }
    global.gc?.();
    const rssAfter = rssMiB();
    console.info(
      `gzip bomb RSS (MiB): before ${rssBefore.toFixed(1)}, peak ${rssPeak.toFixed(1)}, after ${rssAfter.toFixed(1)}; ` +
        `bomb sizes ${jsonBomb.length} B (JSON), ${protoBomb.length} B (gRPC), each expanding to > ${EXPANDED_BYTES} B`,
    );
    expect(rssPeak - rssBefore).toBeLessThan(200);

    const after = await readAll(h.client, axonId);
    expect(after.head).toBe(before.head);
    expect(after.events.map((e) => e.sequence)).toEqual(before.events.map((e) => e.sequence));
  });
});
