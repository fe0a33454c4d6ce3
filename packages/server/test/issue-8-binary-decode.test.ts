import http2 from "node:http2";
import { Writable } from "node:stream";
import { create, toBinary } from "@bufbuild/protobuf";
import { GetAxonRequestSchema, PublishRequestSchema } from "@openaxon/protocol";
import { pino } from "pino";
import { afterEach, expect, test } from "vitest";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SERVICE = "/openaxon.v1.AxonService";

function envelope(message: Uint8Array): Buffer {
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  return framed;
}

/** One gRPC call over node:http2 with a hand-built frame: no client library re-encodes it. */
async function rawGrpc(url: string, method: string, message: Uint8Array) {
  const session = http2.connect(url);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": `${SERVICE}/${method}`,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let status: string | undefined;
    let text = "";
    const take = (headers: http2.IncomingHttpHeaders) => {
      if (headers["grpc-status"] !== undefined) status = String(headers["grpc-status"]);
      if (headers["grpc-message"] !== undefined) text = decodeURIComponent(String(headers["grpc-message"]));
    };
    stream.on("response", take);
    stream.on("trailers", take);
    stream.resume();
    stream.end(envelope(message));
    await new Promise<void>((resolve, reject) => {
      stream.on("close", resolve);
      stream.on("error", reject);
    });
    return { status, message: text };
  } finally {
    session.close();
  }
}

async function connectProto(url: string, method: string, message: Uint8Array) {
  const response = await fetch(`${url}${SERVICE}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
    body: message,
  });
  const body = Buffer.from(await response.arrayBuffer());
  const json =
    response.status === 200 ? {} : (JSON.parse(body.toString()) as { code?: string; message?: string });
  return { status: response.status, ...json };
}

/** gRPC-Web over HTTP/1.1: the status travels in a trailer frame at the end of the body. */
async function grpcWeb(url: string, method: string, message: Uint8Array) {
  const response = await fetch(`${url}${SERVICE}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
    body: envelope(message),
  });
  const body = Buffer.from(await response.arrayBuffer());
  let offset = 0;
  let trailer = "";
  while (offset + 5 <= body.length) {
    const length = body.readUInt32BE(offset + 1);
    if (body[offset]! & 0x80) trailer = body.subarray(offset + 5, offset + 5 + length).toString();
    offset += 5 + length;
  }
  const field = (name: string) => trailer.match(new RegExp(`^${name}: ?(.*)$`, "im"))?.[1]?.trim();
  return { status: field("grpc-status"), message: decodeURIComponent(field("grpc-message") ?? "") };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
}

const concat = (...parts: ArrayLike<number>[]) =>
  Buffer.concat(parts.map((p) => Buffer.from(p as Uint8Array)));

/** Each case appends a bad field to an otherwise valid PublishRequest (a later field wins in protobuf). */
const BAD = [
  {
    name: "a truncated varint",
    suffix: [0x38, 0xff],
    message: /PublishRequest.*malformed protobuf.*premature EOF/,
  },
  {
    // protobuf-es alone would read this varint 0 as an empty string and accept the request.
    name: "a string field sent with the varint wire type",
    suffix: [0x18, 0x00],
    message: /PublishRequest\.source: wrong wire type Varint .*LengthDelimited/,
  },
  {
    name: "invalid UTF-8 in a string field",
    suffix: [0x1a, 0x02, 0xff, 0xfe],
    message: /PublishRequest\.source: string is not valid UTF-8/,
  },
] as const;

async function publishedAxon(harness: Harness) {
  const axonId = (await harness.client.createAxon({})).axon!.id;
  await harness.client.publish({ axonId, ...userEvent("first") });
  const valid = toBinary(PublishRequestSchema, create(PublishRequestSchema, { axonId, ...userEvent("x") }));
  return { axonId, valid };
}

test("raw gRPC: malformed protobuf and invalid UTF-8 get INVALID_ARGUMENT naming the problem, a log line, and no append", async () => {
  const { logger, lines } = capturingLogger();
  h = await startHarness({ logger });
  const { axonId, valid } = await publishedAxon(h);
  for (const bad of BAD) {
    lines.length = 0;
    const reply = await rawGrpc(h.server.url, "Publish", concat(valid, bad.suffix));
    expect(reply.status, bad.name).toBe("3");
    expect(reply.message, bad.name).toMatch(bad.message);
    expect(lines, bad.name).toContainEqual(
      expect.objectContaining({ msg: "rpc", rpc: "Publish", code: "invalid_argument" }),
    );
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);

  // Every RPC, not only Publish.
  const getAxon = toBinary(GetAxonRequestSchema, create(GetAxonRequestSchema, { id: axonId }));
  const badGet = await rawGrpc(h.server.url, "GetAxon", concat(getAxon, [0x0a, 0x01, 0xc3]));
  expect(badGet).toEqual({
    status: "3",
    message: expect.stringMatching(/GetAxonRequest\.id: string is not valid UTF-8/),
  });

  // Valid requests still work, over the same path.
  expect((await rawGrpc(h.server.url, "Publish", valid)).status).toBe("0");
  expect((await rawGrpc(h.server.url, "GetAxon", getAxon)).status).toBe("0");
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(2n);
});

test("Connect proto and gRPC-Web: the same requests get invalid_argument, and valid ones still work", async () => {
  const { logger, lines } = capturingLogger();
  h = await startHarness({ logger });
  const { axonId, valid } = await publishedAxon(h);
  for (const bad of BAD) {
    lines.length = 0;
    const connect = await connectProto(h.server.url, "Publish", concat(valid, bad.suffix));
    expect(connect.status, bad.name).toBe(400);
    expect(connect.code, bad.name).toBe("invalid_argument");
    expect(connect.message, bad.name).toMatch(bad.message);
    expect(lines, bad.name).toContainEqual(
      expect.objectContaining({ msg: "rpc", rpc: "Publish", code: "invalid_argument" }),
    );
    const web = await grpcWeb(h.server.url, "Publish", concat(valid, bad.suffix));
    expect(web.status, bad.name).toBe("3");
    expect(web.message, bad.name).toMatch(bad.message);
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);
  expect((await connectProto(h.server.url, "Publish", valid)).status).toBe(200);
  expect((await grpcWeb(h.server.url, "Publish", valid)).status).toBe("0");
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(3n);
});
