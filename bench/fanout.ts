import { fork } from "node:child_process";
import { parseArgs } from "node:util";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  CreateAxonRequestSchema,
  PublishBatchRequestSchema,
  SubscribeRequestSchema,
} from "@openaxon/protocol";
import { connectLeanGrpc, type LeanGrpc } from "./lean-grpc.js";

// Live fan-out and per-axon memory, against the real server in a child process (RSS is the
// server's alone):
//   node --conditions=source --import tsx bench/fanout.ts [--subscribers 1000] [--rate 1000]
//     [--seconds 10] [--batch 10] [--connections 10] [--axons 0] [--server-args="--cpu-prof"]
// Subscribers use a raw HTTP/2 gRPC client that reads each event's sequence (checking order and
// gaps) and the publish time the publisher put at the front of its payload; latency is
// publish call → delivery, both measured in this process. --axons N creates N axons with one event
// each and reports the server's RSS after.

const { values } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    batch: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    axons: { type: "string", default: "0" },
    /** Extra node flags for the server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
    "server-args": { type: "string" },
  },
});
const subscribers = Number(values.subscribers);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const batch = Number(values.batch);
const connections = Number(values.connections);
const axons = Number(values.axons);

const child = fork(new URL("./fanout-server.ts", import.meta.url), {
  execArgv: [
    "--conditions=source",
    "--import",
    "tsx",
    ...(values["server-args"]?.split(" ").filter(Boolean) ?? []),
  ],
});
const fromChild = <T>(key: string) =>
  new Promise<T>((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off("message", on);
        resolve(m[key] as T);
      }
    };
    child.on("message", on);
  });
const url = await fromChild<string>("url");
const rss = async () => {
  const reply = fromChild<number>("rss");
  child.send("rss");
  return reply;
};
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const clients: LeanGrpc[] = Array.from({ length: Math.max(1, connections) }, () => connectLeanGrpc(url));
const publisher = connectLeanGrpc(url);
const path = (method: string) => `/openaxon.v1.AxonService/${method}`;
const createAxon = async (name: string) => {
  const reply = await publisher.unary(
    path("CreateAxon"),
    toBinary(CreateAxonRequestSchema, create(CreateAxonRequestSchema, { name })),
  );
  // CreateAxonResponse { Axon axon = 1 { string id = 1 } }: the id is the first string inside.
  const inner = reply.subarray(2);
  return inner.subarray(2, 2 + inner[1]!).toString("utf8");
};
const pad = "x".repeat(160);
const publish = (axonId: string, n: number) =>
  publisher.unary(
    path("PublishBatch"),
    toBinary(
      PublishBatchRequestSchema,
      create(PublishBatchRequestSchema, {
        axonId,
        events: Array.from({ length: n }, () => ({
          origin: 1,
          source: "bench",
          eventType: "bench.fanout",
          payload: `{"t":${(performance.timeOrigin + performance.now()).toFixed(3)},"pad":"${pad}"}`,
        })),
      }),
    ),
  );

console.log(`server ${url}; RSS at start ${mib(await rss())}`);

if (axons > 0) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < axons) {
        next++;
        await publish(await createAxon(`a${next}`), 1);
      }
    }),
  );
  console.log(
    `${axons} axons created (one event each) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 1000));
  const heap = fromChild<number>("heap");
  child.send("heap");
  console.log(`server RSS after ${axons} axons: ${mib(await rss())} (JS heap in use ${mib(await heap)})`);
}

if (subscribers > 0) {
  const axonId = await createAxon("fanout");
  // Latency histogram in 0.1 ms buckets up to 60 s.
  const histogram = new Uint32Array(600_000);
  let delivered = 0;
  let maxLatency = 0;
  let errors = 0;
  let fellBehind = 0;
  const expected = Math.floor((rate * seconds) / batch) * batch;
  let caughtUp = 0;
  let allCaughtUp!: () => void;
  const caughtUpAll = new Promise<void>((r) => {
    allCaughtUp = r;
  });
  let finished = 0;
  let allDone!: () => void;
  const done = new Promise<void>((r) => {
    allDone = r;
  });
  const request = toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { axonId }));
  for (let s = 0; s < subscribers; s++) {
    let next = 1;
    let isCaughtUp = false;
    clients[s % clients.length]!.serverStream(path("Subscribe"), request, (message) => {
      const now = performance.timeOrigin + performance.now();
      if (message[0] !== 0x0a) {
        if (message[0] === 0x12 && !isCaughtUp) {
          isCaughtUp = true;
          if (++caughtUp === subscribers) allCaughtUp();
        }
        // fell_behind: the stream re-reads from the store; the sequence check still holds.
        if (message[0] === 0x22) fellBehind++;
        return true;
      }
      next = scanEvents(message, next, now, (latency) => {
        histogram[Math.min(histogram.length - 1, Math.floor(latency * 10))]!++;
        if (latency > maxLatency) maxLatency = latency;
        delivered++;
      });
      if (next > expected) {
        if (++finished === subscribers) allDone();
        return false;
      }
      return true;
    }).catch((e) => {
      errors++;
      console.error(`subscriber ${s}: ${e.message}`);
      if (++finished === subscribers) allDone();
    });
  }
  await caughtUpAll;
  console.log(
    `${subscribers} subscribers caught up over ${clients.length} connections; publishing ${rate} ev/s in batches of ${batch} for ${seconds} s`,
  );
  let peak = 0;
  const sampler = setInterval(async () => {
    peak = Math.max(peak, await rss());
  }, 250);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const calls = expected / batch;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < calls; i++) {
    const due = start + (i * batch * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(publish(axonId, batch));
  }
  await Promise.all(inFlight);
  await Promise.race([done, new Promise((r) => setTimeout(r, 60_000))]);
  clearInterval(sampler);
  const clientCpu = process.cpuUsage(cpu);
  const at = (q: number) => {
    const target = q * delivered;
    let seen = 0;
    for (let i = 0; i < histogram.length; i++) {
      seen += histogram[i]!;
      if (seen >= target) return i / 10;
    }
    return Number.NaN;
  };
  console.log(
    `delivered ${delivered.toLocaleString("en-US")} of ${(expected * subscribers).toLocaleString("en-US")} (${errors} streams failed, ${fellBehind} fell_behind); ` +
      `publish→deliver p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${maxLatency.toFixed(1)} ms; ` +
      `server RSS peak ${mib(peak)}, end ${mib(await rss())}; client CPU ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} s`,
  );
}

for (const c of clients) c.close();
publisher.close();
child.send("stop");

/**
 * Walks an EventBatch frame (SubscribeResponse.events), checking each event's sequence is the next
 * one and reporting its latency from the "t" at the front of its payload. Returns the next expected.
 */
function scanEvents(
  frame: Buffer,
  expectedNext: number,
  now: number,
  onEvent: (latencyMs: number) => void,
): number {
  let next = expectedNext;
  let o = 1;
  const batchEnd = readVarint(frame, o);
  o = batchEnd.offset;
  const end = o + batchEnd.value;
  while (o < end) {
    o++; // events tag
    const len = readVarint(frame, o);
    o = len.offset;
    const eventEnd = o + len.value;
    let sequence = 0;
    let sent = Number.NaN;
    while (o < eventEnd) {
      const tag = frame[o++]!;
      const wire = tag & 7;
      if (wire === 0) {
        const v = readVarint(frame, o);
        if (tag >> 3 === 1) sequence = v.value;
        o = v.offset;
      } else {
        const l = readVarint(frame, o);
        if (tag >> 3 === 7)
          sent = Number(frame.toString("latin1", l.offset + 5, l.offset + 22).split(",")[0]);
        o = l.offset + l.value;
      }
    }
    if (sequence !== next) throw new Error(`expected sequence ${next}, got ${sequence}`);
    next++;
    onEvent(now - sent);
  }
  return next;
}

function readVarint(buf: Buffer, offset: number): { value: number; offset: number } {
  let value = 0;
  let shift = 1;
  let o = offset;
  for (;;) {
    const b = buf[o++]!;
    value += (b & 0x7f) * shift;
    if (b < 0x80) return { value, offset: o };
    shift *= 128;
  }
}
