import http2 from "node:http2";
import net from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, expect, test, vi } from "vitest";
import { follow, kinds } from "./support/follow.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";
import { connectRawH2, FRAME, H2_ERROR } from "./support/raw-h2.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: "info" }, sink) };
}

const LIST_AXONS = "/openaxon.v1.AxonService/ListAxons";
const GRPC = { "content-type": "application/grpc", te: "trailers" };
/** An empty protobuf message in a gRPC envelope. */
const EMPTY_GRPC_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

function h2Healthz(port: number): Promise<{ session: http2.ClientHttp2Session; status: number }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    session.on("close", () => reject(new Error("connection closed before a response")));
    const stream = session.request({ ":path": "/healthz" });
    stream.on("response", (headers) => {
      stream.resume();
      stream.on("end", () => resolve({ session, status: Number(headers[":status"]) }));
    });
    stream.on("error", reject);
  });
}

/** Resolves with true when the server closed the connection without sending a byte. */
function refusedAtAccept(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let received = 0;
    socket.on("data", (chunk) => {
      received += chunk.length;
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(received === 0));
    // A served connection would wait for bytes until the sniff timeout; a refused one closes now.
  });
}

test("SETTINGS advertise the stream cap; the (cap+1)th concurrent stream is REFUSED_STREAM while the others are served", async () => {
  h = await startHarness({ limits: { maxConcurrentStreams: 4 } });
  // This client never acknowledges SETTINGS: that is when nghttp2 answers an excess stream with
  // REFUSED_STREAM (after the ACK, exceeding the cap is a connection error, see the next test).
  const raw = await connectRawH2(h.server.port, { ackSettings: false });
  expect(await raw.maxConcurrentStreams()).toBe(4);
  for (const id of [1, 3, 5, 7]) raw.headers(id, LIST_AXONS, GRPC); // open, request body pending
  raw.headers(9, LIST_AXONS, GRPC);
  const refused = await raw.waitFor((f) => f.type === FRAME.RST_STREAM && f.streamId === 9);
  expect(refused.payload.readUInt32BE(0)).toBe(H2_ERROR.REFUSED_STREAM);
  // The four admitted streams still work.
  for (const id of [1, 3, 5, 7]) raw.data(id, EMPTY_GRPC_MESSAGE, true);
  for (const id of [1, 3, 5, 7]) {
    await raw.waitFor((f) => f.type === FRAME.HEADERS && f.streamId === id);
  }
  expect(raw.frames.some((f) => f.type === FRAME.RST_STREAM && f.streamId !== 9)).toBe(false);
  raw.destroy();
});

test("a client that ignores the acknowledged stream cap loses its connection; other clients are unaffected", async () => {
  h = await startHarness({ limits: { maxConcurrentStreams: 4 } });
  const raw = await connectRawH2(h.server.port);
  await raw.maxConcurrentStreams();
  await raw.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & 1) === 1);
  for (let id = 1; id <= 11; id += 2) raw.headers(id, LIST_AXONS, GRPC);
  await raw.waitFor((f) => f.type === FRAME.GOAWAY);
  expect((await h.client.listAxons({})).axons).toEqual([]);
  raw.destroy();
});

test("connection cap: beyond it connections are refused with one log line per episode, and accepted again once some close", async () => {
  const { lines, logger } = captureLogs();
  h = await startHarness({ logger, limits: { maxConnections: 3 } });
  const { port } = h.server;
  // The harness's own client has not connected yet: open exactly the cap.
  const held = await Promise.all([h2Healthz(port), h2Healthz(port), h2Healthz(port)]);
  expect(held.map((x) => x.status)).toEqual([200, 200, 200]);

  expect(await refusedAtAccept(port)).toBe(true);
  expect(await refusedAtAccept(port)).toBe(true);
  expect(await refusedAtAccept(port)).toBe(true);
  const limitLines = () => lines.filter((l) => String(l.msg).startsWith("connection limit reached"));
  expect(limitLines()).toHaveLength(1);
  expect(limitLines()[0]).toMatchObject({ level: 40, maxConnections: 3 });

  held[0]!.session.close();
  await vi.waitFor(async () => expect((await h2Healthz(port)).status).toBe(200), { timeout: 5000 });
  // That new connection took the free slot: a new episode, a second line.
  expect(await refusedAtAccept(port)).toBe(true);
  expect(limitLines()).toHaveLength(2);
  for (const x of held) x.session.destroy();
});

test("an HTTP/2 connection with no open stream is closed after the idle timeout, but a quiet Subscribe stream stays open", async () => {
  h = await startHarness({ limits: { idleTimeoutMs: 200 } });
  const axonId = (await h.client.createAxon({})).axon!.id;
  const f = follow(h.client, { axonId });
  await f.waitFor((x) => kinds(x).includes("caughtUp"));

  const { session } = await h2Healthz(h.server.port);
  const goaway = new Promise<number>((resolve) => session.once("goaway", (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => session.once("close", () => resolve()));
  expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
  await closed;

  // The Subscribe stream saw no frame for longer than the idle timeout (heartbeats every 15 s)
  // and still delivers.
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(f.ended).toBe(false);
  await h.client.publish({ axonId, ...userEvent(1) });
  await f.waitForEvents(1);
  await f.cancel();
});

test("an idle HTTP/1.1 keep-alive connection is closed after the keep-alive timeout", async () => {
  h = await startHarness({ limits: { keepAliveTimeoutMs: 100 } });
  const reply = await new Promise<string>((resolve) => {
    const socket = net.connect(h!.server.port, "127.0.0.1", () =>
      socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"),
    );
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(received));
  });
  expect(reply).toMatch(/^HTTP\/1\.1 200/);
});

test("rapid reset on one connection: it is closed with ENHANCE_YOUR_CALM and another client's calls succeed", async () => {
  const { lines, logger } = captureLogs();
  h = await startHarness({ logger });
  const axonId = (await h.client.createAxon({})).axon!.id;
  const raw = await connectRawH2(h.server.port);
  await raw.maxConcurrentStreams();
  const others = (async () => {
    const results: bigint[] = [];
    for (let i = 0; i < 20; i++) {
      results.push((await h!.client.publish({ axonId, ...userEvent(i) })).sequence);
    }
    return results;
  })();
  let id = 1;
  for (let i = 0; i < 3000; i++) {
    raw.headers(id, "/openaxon.v1.AxonService/Subscribe", GRPC);
    raw.rst(id);
    id += 2;
  }
  const goaway = await raw.waitFor((f) => f.type === FRAME.GOAWAY);
  expect(goaway.payload.readUInt32BE(4)).toBe(H2_ERROR.ENHANCE_YOUR_CALM);
  expect(await others).toHaveLength(20);
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(20n);
  expect(lines.some((l) => String(l.msg).includes("reset streams faster"))).toBe(true);
  raw.destroy();
});
