import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateAxonRequest } from "../src/axons.js";
import {
  type AxonClient,
  axonFull,
  Code,
  ConnectError,
  createAxonClient,
  EventsTrimmedError,
} from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer();
  client = createAxonClient({ baseUrl: real.url, source: "test" });
});

afterAll(async () => {
  await real.close();
});

// Issue 13 item 6, the SDK side: retention on create and update, and trimmed reads surface as a
// typed error with the first available sequence (never a silent skip).
describe("issue 13: retention in the SDK", () => {
  it("creates with retention, updates single limits, and shows first_sequence", async () => {
    const axon = await client.axons.create({ name: "kept", retention: { maxEvents: 3 } });
    expect(axon).toMatchObject({ firstSequence: 1, headSequence: 0, retention: { maxEvents: 3 } });
    const updated = await client.axons.update(axon.id, { name: "renamed", retention: { maxAgeMs: 60_000 } });
    expect(updated).toMatchObject({ name: "renamed", retention: { maxEvents: 3, maxAgeMs: 60_000 } });
    const off = await client.axons.update(axon.id, { retention: { maxEvents: 0 } });
    expect(off.retention).toEqual({ maxAgeMs: 60_000 });
    const cleared = await client.axons.update(axon.id, { retention: null });
    expect(cleared.retention).toBeUndefined();
    await expect(client.axons.update(axon.id, {})).rejects.toThrow(/at least one of name, labels, retention/);
  });

  it("names exactly the fields it sets in the mask", () => {
    expect(updateAxonRequest("axn_x", { labels: {} }).updateMask.paths).toEqual(["labels"]);
    expect(
      updateAxonRequest("axn_x", { retention: { maxBytes: 10, maxEvents: 0 } }).updateMask.paths,
    ).toEqual(["retention.max_events", "retention.max_bytes"]);
    expect(updateAxonRequest("axn_x", { name: "", retention: null }).updateMask.paths).toEqual([
      "name",
      "retention",
    ]);
  });

  it("throws EventsTrimmedError with firstAvailableSequence from events() and subscribe()", async () => {
    const created = await client.axons.create({ retention: { maxEvents: 2 } });
    const axon = client.axon(created.id);
    for (let n = 1; n <= 6; n++)
      await axon.publish({ eventType: "user.message", payload: { content: `${n}` } });
    await real.store.applyRetention();
    expect((await client.axons.get(created.id)).firstSequence).toBe(5);
    expect((await axon.events()).events.map((e) => e.sequence)).toEqual([5, 6]);

    const listed = await axon.events({ afterSequence: 1 }).catch((e: unknown) => e);
    expect(listed).toBeInstanceOf(EventsTrimmedError);
    expect(listed).toBeInstanceOf(ConnectError);
    expect(listed).toMatchObject({
      code: Code.OutOfRange,
      axonId: created.id,
      firstAvailableSequence: 5,
      headSequence: 6,
      requestedSequence: 2,
    });

    const seen: number[] = [];
    const subscribed = await (async () => {
      for await (const event of axon.subscribe({ afterSequence: 2 })) seen.push(event.sequence);
    })().catch((e: unknown) => e);
    expect(subscribed).toBeInstanceOf(EventsTrimmedError);
    expect((subscribed as EventsTrimmedError).firstAvailableSequence).toBe(5);
    expect(seen).toEqual([]);
  });

  it("leaves other errors alone, and axonFull reads nothing from them", async () => {
    const error = await client.axons.get("axn_01jz0000000000000000000000").catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(EventsTrimmedError);
    expect(axonFull(error)).toBeUndefined();
  });
});
