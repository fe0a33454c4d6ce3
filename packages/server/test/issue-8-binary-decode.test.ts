import { create, toBinary } from "@bufbuild/protobuf";
import { GetAxonRequestSchema } from "@openaxon/protocol";
import { afterEach, expect, test } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";
import { BAD, concat, publishedAxon } from "./support/malformed-publish.js";
import { capturingLogger, connectProto, envelope, grpcWeb, rawGrpc } from "./support/raw-rpc.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("raw gRPC: malformed protobuf and invalid UTF-8 get INVALID_ARGUMENT naming the problem, a log line, and no append", async () => {
  const { logger, lines } = capturingLogger();
  h = await startHarness({ logger });
  const { axonId, valid } = await publishedAxon(h);
  for (const bad of BAD) {
    lines.length = 0;
    const reply = await rawGrpc(h.server.url, "Publish", envelope(concat(valid, bad.suffix)));
    expect(reply.status, bad.name).toBe("3");
    expect(reply.message, bad.name).toMatch(bad.message);
    expect(lines, bad.name).toContainEqual(
      expect.objectContaining({ msg: "rpc", rpc: "Publish", code: "invalid_argument" }),
    );
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);

  // Every RPC, not only Publish.
  const getAxon = toBinary(GetAxonRequestSchema, create(GetAxonRequestSchema, { id: axonId }));
  const badGet = await rawGrpc(h.server.url, "GetAxon", envelope(concat(getAxon, [0x0a, 0x01, 0xc3])));
  expect(badGet).toEqual({
    status: "3",
    message: expect.stringMatching(/GetAxonRequest\.id: string is not valid UTF-8/),
  });

  // Valid requests still work, over the same path.
  expect((await rawGrpc(h.server.url, "Publish", envelope(valid))).status).toBe("0");
  expect((await rawGrpc(h.server.url, "GetAxon", envelope(getAxon))).status).toBe("0");
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
    const web = await grpcWeb(h.server.url, "Publish", envelope(concat(valid, bad.suffix)));
    expect(web.status, bad.name).toBe("3");
    expect(web.message, bad.name).toMatch(bad.message);
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);
  expect((await connectProto(h.server.url, "Publish", valid)).status).toBe(200);
  expect((await grpcWeb(h.server.url, "Publish", envelope(valid))).status).toBe("0");
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(3n);
});

test("gRPC-Web: a second message after a unary request's one is INVALID_ARGUMENT, whatever it holds, and nothing is appended", async () => {
  const { logger, lines } = capturingLogger();
  h = await startHarness({ logger });
  const { axonId, valid } = await publishedAxon(h);
  const malformed = Uint8Array.from([0x0a, 0x05, 0x61]); // axon_id claims 5 bytes, has 1
  for (const second of [valid, malformed]) {
    lines.length = 0;
    const reply = await grpcWeb(h.server.url, "Publish", Buffer.concat([envelope(valid), envelope(second)]));
    expect(reply).toMatchObject({
      status: "3",
      message: `protocol error: ${5 + second.length} bytes follow the request message; this method takes exactly one message`,
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "rpc", rpc: "Publish", code: "invalid_argument" }),
    );
  }
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);
});
