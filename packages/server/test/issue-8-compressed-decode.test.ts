import { brotliCompressSync, gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { compressionGzip, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { AxonService, PublishRequestSchema } from "@openaxon/protocol";
import { afterEach, expect, test } from "vitest";
import { type Harness, startHarness, userEvent } from "./support/harness.js";
import { BAD, concat, publishedAxon } from "./support/malformed-publish.js";
import { capturingLogger, connectProto, envelope, grpcWeb, rawGrpc } from "./support/raw-rpc.js";

// Issue 8 (codes): malformed protobuf inside a compressed request was answered INTERNAL "parse
// binary: …" with no RPC log line, because connect decompresses and parses before interceptors.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const rpcLine = { msg: "rpc", rpc: "Publish", code: "invalid_argument" };

test("gzip and br Connect unary: malformed protobuf gets invalid_argument naming the problem, a log line, no append", async () => {
  const { logger, lines } = capturingLogger();
  h = await startHarness({ logger });
  const { axonId, valid } = await publishedAxon(h);
  for (const bad of BAD) {
    for (const [encoding, compress] of [
      ["gzip", gzipSync],
      ["br", brotliCompressSync],
    ] as const) {
      lines.length = 0;
      const what = `${bad.name}, ${encoding}`;
      const reply = await connectProto(h.server.url, "Publish", compress(concat(valid, bad.suffix)), {
        "content-encoding": encoding,
      });
      expect(reply.status, what).toBe(400);
      expect(reply.code, what).toBe("invalid_argument");
      expect(reply.message, what).toMatch(bad.message);
      expect(lines, what).toContainEqual(expect.objectContaining(rpcLine));
    }
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);

  // A valid compressed request is still served, and answered compressed when the client accepts it.
  const ok = await connectProto(h.server.url, "Publish", gzipSync(valid), {
    "content-encoding": "gzip",
    "accept-encoding": "gzip",
  });
  expect(ok.status).toBe(200);
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(2n);
});

test("gzip gRPC and gRPC-Web: malformed protobuf in a compressed envelope gets INVALID_ARGUMENT and a log line", async () => {
  const { logger, lines } = capturingLogger();
  h = await startHarness({ logger });
  const { axonId, valid } = await publishedAxon(h);
  for (const bad of BAD) {
    lines.length = 0;
    const body = envelope(gzipSync(concat(valid, bad.suffix)), 0x01);
    const grpc = await rawGrpc(h.server.url, "Publish", body, { "grpc-encoding": "gzip" });
    expect(grpc, bad.name).toEqual({ status: "3", message: expect.stringMatching(bad.message) });
    expect(lines, bad.name).toContainEqual(expect.objectContaining(rpcLine));
    const web = await grpcWeb(h.server.url, "Publish", body, { "grpc-encoding": "gzip" });
    expect(web.status, bad.name).toBe("3");
    expect(web.message, bad.name).toMatch(bad.message);
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);

  const ok = await rawGrpc(h.server.url, "Publish", envelope(gzipSync(valid), 0x01), {
    "grpc-encoding": "gzip",
  });
  expect(ok.status).toBe("0");
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(2n);
});

test("real gRPC and Connect clients sending gzip still publish", async () => {
  h = await startHarness();
  const axonId = (await h.client.createAxon({})).axon!.id;
  // Above the clients' compressMinBytes (1 KiB), so the requests really are compressed.
  const payload = "x".repeat(64 * 1024);
  for (const transport of [
    createGrpcTransport({ baseUrl: h.server.url, sendCompression: compressionGzip }),
    createConnectTransport({ baseUrl: h.server.url, httpVersion: "1.1", sendCompression: compressionGzip }),
  ]) {
    const client = createClient(AxonService, transport);
    await client.publish({ axonId, ...userEvent(payload) });
  }
  const page = await h.client.listEvents({ axonId, afterSequence: 0n, limit: 10 });
  expect(page.events.map((e) => e.payload.length)).toEqual([payload.length + 2, payload.length + 2]);
});

test("corrupt and oversized compressed bodies: INVALID_ARGUMENT, RESOURCE_EXHAUSTED naming the limit, a log line", async () => {
  const { logger, lines } = capturingLogger();
  h = await startHarness({ logger, maxPayloadBytes: 64 * 1024 });
  const axonId = (await h.client.createAxon({})).axon!.id;
  const valid = toBinary(PublishRequestSchema, create(PublishRequestSchema, { axonId, ...userEvent("x") }));
  // Cut short: zlib reports "unexpected end of file", which connect alone answers INTERNAL.
  const corrupt = gzipSync(valid).subarray(0, 12);
  lines.length = 0;
  const connectCorrupt = await connectProto(h.server.url, "Publish", corrupt, { "content-encoding": "gzip" });
  expect(connectCorrupt.code).toBe("invalid_argument");
  expect(connectCorrupt.message).toMatch(/not valid gzip data \(unexpected end of file\)/);
  const grpcCorrupt = await rawGrpc(h.server.url, "Publish", envelope(corrupt, 0x01), {
    "grpc-encoding": "gzip",
  });
  expect(grpcCorrupt).toEqual({ status: "3", message: expect.stringMatching(/not valid gzip data/) });
  expect(lines.filter((l) => l.msg === "rpc" && l.code === "invalid_argument")).toHaveLength(2);

  // Publish reads at most 2 × 64 KiB + 1 MiB: a small gzip of 4 MiB of zeros is a bomb.
  const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
  expect(bomb.length).toBeLessThan(64 * 1024);
  const limit = /larger than this RPC's limit of 1179648 bytes \(1\.1 MiB\) once decompressed \(gzip\)/;
  const connect = await connectProto(h.server.url, "Publish", bomb, { "content-encoding": "gzip" });
  expect(connect.code).toBe("resource_exhausted");
  expect(connect.message).toMatch(limit);
  const grpc = await rawGrpc(h.server.url, "Publish", envelope(bomb, 0x01), { "grpc-encoding": "gzip" });
  expect(grpc).toEqual({ status: "8", message: expect.stringMatching(limit) });
  expect(lines.filter((l) => l.msg === "rpc" && l.code === "resource_exhausted")).toHaveLength(2);
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(0n);
});

test("gRPC-Web text (base64) is not a supported format: 415 whatever the body, nothing appended", async () => {
  h = await startHarness();
  const { axonId, valid } = await publishedAxon(h);
  for (const body of [valid, concat(valid, BAD[0].suffix)]) {
    const response = await fetch(`${h.server.url}/openaxon.v1.AxonService/Publish`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web-text+proto", "x-grpc-web": "1" },
      body: envelope(body).toString("base64"),
    });
    expect(response.status).toBe(415);
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);
});
