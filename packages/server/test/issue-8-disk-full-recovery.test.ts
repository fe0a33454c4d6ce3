import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import { AxonService, Origin } from "@openaxon/protocol";
import { ClassicLevelBackend, type KvBackend, KvLogStore, type KvOp } from "@openaxon/store";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningAxonServer, startAxonServer } from "../src/index.js";

/** The real LevelDB backend, with writes failing like a full disk while `full` is set. */
class FillableDisk implements KvBackend {
  full = false;
  constructor(private readonly inner: ClassicLevelBackend) {}
  get = (key: string) => this.inner.get(key);
  entries: KvBackend["entries"] = (range) => this.inner.entries(range);
  values: KvBackend["values"] = (range) => this.inner.values(range);
  close = () => this.inner.close();
  reopen = () => this.inner.reopen();
  async writeDurable(ops: readonly KvOp[]): Promise<void> {
    if (this.full) {
      throw Object.assign(new Error("IO error: 000005.log: No space left on device"), { code: "ENOSPC" });
    }
    await this.inner.writeDurable(ops);
  }
}

const event = (n: number) => ({
  origin: Origin.USER_EVENT,
  source: "t",
  eventType: "user.message",
  payload: JSON.stringify({ n }),
});

async function healthz(server: RunningAxonServer) {
  const response = await fetch(`${server.url}/healthz`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok" as const,
    (error) => ConnectError.from(error),
  );

// Issue 8 item 7: after a disk-full, /healthz said ok while every write failed, and writes stayed
// failed until a restart.
describe("issue 8: a full disk", () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.reverse()) await fn();
    cleanup = [];
  });

  it("turns /healthz 503 with the reason, fails publishes UNAVAILABLE, and recovers without a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openaxon-disk-full-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const disk = new FillableDisk(await ClassicLevelBackend.open(join(dir, "db")));
    const store = new KvLogStore({
      backend: disk,
      clock: new ManualClock(),
      rng: seededRng(1),
      recoveryIntervalMs: 0,
    });
    cleanup.push(() => store.close());
    const server = await startAxonServer({ store, host: "127.0.0.1", port: 0 });
    cleanup.push(() => server.close());
    const client = createClient(AxonService, createGrpcTransport({ baseUrl: server.url }));

    const { axon } = await client.createAxon({ name: "full" });
    const axonId = axon!.id;
    const acked = new Map<bigint, string>();
    const publish = async (n: number) => {
      const { sequence } = await client.publish({ axonId, ...event(n) });
      expect(acked.has(sequence), `sequence ${sequence} handed out twice`).toBe(false);
      acked.set(sequence, event(n).payload);
    };
    for (let n = 0; n < 5; n++) await publish(n);
    expect(await healthz(server)).toEqual({ status: 200, body: { status: "ok" } });

    disk.full = true;
    const failed = await codeOf(publish(100));
    expect(failed).toBeInstanceOf(ConnectError);
    expect((failed as ConnectError).code).toBe(Code.Unavailable);
    expect((failed as ConnectError).rawMessage).toMatch(
      /cannot write .*No space left on device.*retry later/,
    );
    // Every look keeps saying failed while the disk is full: reopening works on a full disk, but
    // health waits for a write that reaches the disk.
    for (let i = 0; i < 3; i++) {
      const health = await healthz(server);
      expect(health.status).toBe(503);
      expect(health.body.status).toBe("store failed");
      expect(health.body.reason).toMatch(/No space left on device/);
      expect(((await codeOf(publish(200 + i))) as ConnectError).code).toBe(Code.Unavailable);
    }

    disk.full = false;
    for (let n = 5; n < 10; n++) await publish(n);
    expect(await healthz(server)).toEqual({ status: 200, body: { status: "ok" } });

    const { events } = await client.listEvents({ axonId, limit: 1000 });
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => BigInt(i + 1)));
    for (const [sequence, payload] of acked) {
      expect(events.find((e) => e.sequence === sequence)?.payload).toBe(payload);
    }
    expect(acked.size).toBe(10);
    expect(Math.max(...[...acked.keys()].map(Number))).toBe(events.length);
  });
});
