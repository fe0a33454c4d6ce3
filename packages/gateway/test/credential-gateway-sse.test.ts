import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { endpoint, SECRET, startTestGateway } from "../src/test-support/gateway-harness.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// LLM responses are server-sent events: each event must reach the agent as soon as the upstream
// sends it. The upstream here sends event 2 only after the agent has received event 1, so any
// buffering in the gateway would deadlock instead of passing.
describe("credential gateway streaming", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("relays server-sent events chunk by chunk", async () => {
    const events = ['data: {"delta":"Hel"}\n\n', 'data: {"delta":"lo"}\n\n', "data: [DONE]\n\n"];
    const received = events.map(() => deferred());
    const upstream = await startFakeUpstream(async (req, res) => {
      if (req.headers.authorization !== `Bearer ${SECRET}`) return void res.writeHead(401).end();
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (let i = 0; i < events.length; i++) {
        res.write(events[i]);
        await received[i]!.promise;
      }
      res.end();
    });
    cleanups.push(upstream.close);
    const t = await startTestGateway();
    cleanups.push(t.close);
    const binding = t.gateway.registerBinding({
      runtimeId: "rt_a",
      prefix: "GWS_LLM",
      gateway: endpoint(`http://127.0.0.1:${upstream.port}`),
      secret: SECRET,
    });

    const chunks: string[] = [];
    const done = new Promise<number>((resolve, reject) => {
      const req = request(
        `${binding.url()}/v1/messages`,
        { method: "POST", headers: { authorization: `Bearer ${binding.token}` }, agent: false },
        (res) => {
          let buffer = "";
          res.on("data", (chunk: Buffer) => {
            chunks.push(chunk.toString());
            buffer += chunk.toString();
            // Acknowledge every complete event back to the upstream.
            let index = events.findIndex((e, i) => buffer.includes(e) && !acknowledged.has(i));
            while (index >= 0) {
              acknowledged.add(index);
              received[index]!.resolve();
              index = events.findIndex((e, i) => buffer.includes(e) && !acknowledged.has(i));
            }
          });
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      const acknowledged = new Set<number>();
      req.on("error", reject);
      req.end("{}");
    });
    expect(await done).toBe(200);
    expect(chunks.join("")).toBe(events.join(""));
    expect(chunks.length).toBeGreaterThanOrEqual(events.length);
  });
});
