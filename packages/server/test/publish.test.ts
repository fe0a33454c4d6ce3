import { Code, ConnectError } from "@connectrpc/connect";
import { ExpectedHeadMismatchSchema, Origin, PayloadTooLargeSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type AxonClient, type Harness, readAll, startHarness, userEvent } from "./support/harness.js";

let h: Harness;
let client: AxonClient;
beforeAll(async () => {
  h = await startHarness();
  client = h.client;
});
afterAll(() => h.close());

async function newAxon(name = "t") {
  const { axon } = await client.createAxon({ name });
  return axon!.id;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("ordering", () => {
  test("concurrent publishers get exactly sequences 1..N, each payload stored at its sequence", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 60 }), async (payloads) => {
        const axonId = await newAxon();
        const acks = await Promise.all(payloads.map((p) => client.publish({ axonId, ...userEvent(p) })));
        const sequences = acks.map((a) => Number(a.sequence)).sort((a, b) => a - b);
        expect(sequences).toEqual(payloads.map((_, i) => i + 1));
        const { events, head } = await readAll(client, axonId);
        expect(head).toBe(BigInt(payloads.length));
        expect(events.map((e) => e.sequence)).toEqual(sequences.map(BigInt));
        payloads.forEach((p, i) => {
          expect(events[Number(acks[i]!.sequence) - 1]!.payload).toBe(JSON.stringify(p));
        });
      }),
      { numRuns: 25 },
    );
  });

  test("batches and single publishes interleave without gaps; a batch is contiguous", async () => {
    const axonId = await newAxon();
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? client
            .publish({ axonId, ...userEvent({ i }) })
            .then((r) => [Number(r.sequence), Number(r.sequence)])
        : client
            .publishBatch({
              axonId,
              events: [userEvent({ i, part: 0 }), userEvent({ i, part: 1 }), userEvent({ i, part: 2 })],
            })
            .then((r) => [Number(r.firstSequence), Number(r.lastSequence)]),
    );
    const ranges = (await Promise.all(calls)).sort((a, b) => a[0]! - b[0]!);
    let next = 1;
    for (const [first, last] of ranges) {
      expect(first).toBe(next);
      next = last! + 1;
    }
    expect(next - 1).toBe(10 + 10 * 3);
    const { events } = await readAll(client, axonId);
    for (const [first, last] of ranges) {
      if (first === last) continue;
      const parts = events.slice(first! - 1, last).map((e) => JSON.parse(e.payload));
      expect(parts.map((p) => p.part)).toEqual([0, 1, 2]);
      expect(new Set(parts.map((p) => p.i)).size).toBe(1);
    }
  });

  test("a publish answers with the stored timestamp and sequence", async () => {
    const axonId = await newAxon();
    const ack = await client.publish({ axonId, ...userEvent({ hello: "world" }) });
    const { events } = await readAll(client, axonId);
    expect(events).toEqual([
      expect.objectContaining({
        sequence: 1n,
        axonId,
        timestampMs: ack.timestampMs,
        origin: Origin.USER_EVENT,
        source: "test",
        eventType: "user.message",
        payload: '{"hello":"world"}',
      }),
    ]);
    expect(ack.duplicate).toBe(false);
  });
});

describe("idempotency", () => {
  test("repeating a key returns the original sequence with duplicate=true and writes nothing", async () => {
    const axonId = await newAxon();
    const first = await client.publish({ axonId, ...userEvent(1), idempotencyKey: "k-1" });
    await client.publish({ axonId, ...userEvent(2) });
    const before = await readAll(client, axonId);
    const again = await client.publish({ axonId, ...userEvent("different payload"), idempotencyKey: "k-1" });
    expect(again).toMatchObject({
      sequence: first.sequence,
      duplicate: true,
      timestampMs: first.timestampMs,
    });
    expect(await readAll(client, axonId)).toEqual(before);
  });

  test("concurrent retries of one key write once", async () => {
    const axonId = await newAxon();
    const acks = await Promise.all(
      Array.from({ length: 10 }, () => client.publish({ axonId, ...userEvent("x"), idempotencyKey: "same" })),
    );
    expect(new Set(acks.map((a) => a.sequence))).toEqual(new Set([1n]));
    expect(acks.filter((a) => !a.duplicate)).toHaveLength(1);
    expect((await readAll(client, axonId)).head).toBe(1n);
  });

  test("keys are per axon", async () => {
    const a = await newAxon();
    const b = await newAxon();
    await client.publish({ axonId: a, ...userEvent(1) });
    await client.publish({ axonId: a, ...userEvent(2), idempotencyKey: "k" });
    const onB = await client.publish({ axonId: b, ...userEvent(1), idempotencyKey: "k" });
    expect(onB).toMatchObject({ sequence: 1n, duplicate: false });
  });

  test("a repeated batch key returns the original range", async () => {
    const axonId = await newAxon();
    const events = [userEvent(1), userEvent(2)];
    const first = await client.publishBatch({ axonId, events, idempotencyKey: "batch-1" });
    const again = await client.publishBatch({ axonId, events, idempotencyKey: "batch-1" });
    expect(again).toMatchObject({ firstSequence: 1n, lastSequence: 2n, duplicate: true });
    expect(first.duplicate).toBe(false);
    expect((await readAll(client, axonId)).head).toBe(2n);
  });
});

describe("expected_head", () => {
  test("appends when the head matches", async () => {
    const axonId = await newAxon();
    expect((await client.publish({ axonId, ...userEvent(1), expectedHead: 0n })).sequence).toBe(1n);
    expect((await client.publish({ axonId, ...userEvent(2), expectedHead: 1n })).sequence).toBe(2n);
    expect(
      (await client.publishBatch({ axonId, events: [userEvent(3)], expectedHead: 2n })).firstSequence,
    ).toBe(3n);
  });

  test("a mismatch is FAILED_PRECONDITION carrying the current head, and writes nothing", async () => {
    const axonId = await newAxon();
    await client.publishBatch({ axonId, events: [userEvent(1), userEvent(2)] });
    const before = await readAll(client, axonId);
    for (const call of [
      client.publish({ axonId, ...userEvent(3), expectedHead: 1n }),
      client.publishBatch({ axonId, events: [userEvent(3)], expectedHead: 5n }),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toMatch(/is at head 2/);
      expect(error.findDetails(ExpectedHeadMismatchSchema)).toMatchObject([{ axonId, currentHead: 2n }]);
    }
    expect(await readAll(client, axonId)).toEqual(before);
  });

  test("only one of several racing writers with the same expected_head wins", async () => {
    const axonId = await newAxon();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => client.publish({ axonId, ...userEvent(i), expectedHead: 0n })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect(ConnectError.from(r.reason).code).toBe(Code.FailedPrecondition);
    }
  });
});

describe("bad input: exact code, actionable message, log unchanged", () => {
  const ok = userEvent({ ok: true });
  const MISSING = "axn_0000000000zzzzzzzzzzzzzzzz";
  type Case = [string, (axonId: string) => Promise<unknown>, Code, RegExp];
  const cases: Case[] = [
    [
      "unknown axon",
      () => client.publish({ axonId: MISSING, ...ok }),
      Code.NotFound,
      /axon axn_0+z+ not found/,
    ],
    [
      "malformed axon id",
      () => client.publish({ axonId: "my-axon", ...ok }),
      Code.InvalidArgument,
      /not an axon id/,
    ],
    [
      "SYSTEM origin",
      (axonId) => client.publish({ axonId, ...ok, origin: Origin.SYSTEM_EVENT }),
      Code.PermissionDenied,
      /reserved for the server/,
    ],
    [
      "unspecified origin",
      (axonId) => client.publish({ axonId, ...ok, origin: Origin.UNSPECIFIED }),
      Code.InvalidArgument,
      /origin is required/,
    ],
    [
      "invalid JSON",
      (axonId) => client.publish({ axonId, ...ok, payload: "{oops}" }),
      Code.InvalidArgument,
      /not valid JSON: .* at line 1, column 2/,
    ],
    [
      "empty payload",
      (axonId) => client.publish({ axonId, ...ok, payload: "" }),
      Code.InvalidArgument,
      /payload is empty/,
    ],
    [
      "empty source",
      (axonId) => client.publish({ axonId, ...ok, source: "" }),
      Code.InvalidArgument,
      /source is required/,
    ],
    [
      "long source",
      (axonId) => client.publish({ axonId, ...ok, source: "s".repeat(257) }),
      Code.InvalidArgument,
      /limit is 256/,
    ],
    [
      "empty event_type",
      (axonId) => client.publish({ axonId, ...ok, eventType: "" }),
      Code.InvalidArgument,
      /event_type is required/,
    ],
    [
      "long event_type",
      (axonId) => client.publish({ axonId, ...ok, eventType: "a".repeat(257) }),
      Code.InvalidArgument,
      /limit is 256/,
    ],
    [
      "event_type charset",
      (axonId) => client.publish({ axonId, ...ok, eventType: "user message!" }),
      Code.InvalidArgument,
      /may only contain/,
    ],
    [
      "long idempotency_key",
      (axonId) => client.publish({ axonId, ...ok, idempotencyKey: "k".repeat(257) }),
      Code.InvalidArgument,
      /idempotency_key is 257/,
    ],
    [
      "empty batch",
      (axonId) => client.publishBatch({ axonId, events: [] }),
      Code.InvalidArgument,
      /events is empty/,
    ],
    [
      "batch over 1000",
      (axonId) => client.publishBatch({ axonId, events: Array(1001).fill(ok) }),
      Code.InvalidArgument,
      /at most 1000/,
    ],
    [
      "bad event inside a batch",
      (axonId) => client.publishBatch({ axonId, events: [ok, ok, { ...ok, payload: "[" }] }),
      Code.InvalidArgument,
      /^events\[2\]\.payload/,
    ],
    [
      "SYSTEM event inside a batch",
      (axonId) => client.publishBatch({ axonId, events: [ok, { ...ok, origin: Origin.SYSTEM_EVENT }] }),
      Code.PermissionDenied,
      /^events\[1\]\.origin/,
    ],
    [
      "batch to unknown axon",
      () => client.publishBatch({ axonId: MISSING, events: [ok] }),
      Code.NotFound,
      /not found/,
    ],
    [
      "expected_head out of range",
      (axonId) => client.publish({ axonId, ...ok, expectedHead: 2n ** 63n }),
      Code.InvalidArgument,
      /expected_head/,
    ],
  ];

  test.each(cases)("%s", async (_name, call, code, message) => {
    const axonId = await newAxon();
    await client.publishBatch({ axonId, events: [userEvent(1), userEvent(2)], idempotencyKey: "seed" });
    const before = await readAll(client, axonId);
    const error = await rejection(call(axonId));
    expect(error.code).toBe(code);
    expect(error.rawMessage).toMatch(message);
    expect(await readAll(client, axonId)).toEqual(before);
  });

  test("a payload over the default 4 MiB is RESOURCE_EXHAUSTED with the limit in the message", async () => {
    const axonId = await newAxon();
    const payload = JSON.stringify("x".repeat(4 * 1024 * 1024));
    const error = await rejection(client.publish({ axonId, ...ok, payload }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toContain("the limit is 4194304 bytes (4 MiB)");
    expect(error.findDetails(PayloadTooLargeSchema)).toMatchObject([
      { sizeBytes: BigInt(payload.length), limitBytes: 4194304n },
    ]);
    expect((await readAll(client, axonId)).head).toBe(0n);
    // Exactly at the limit is accepted.
    const atLimit = JSON.stringify("x".repeat(4 * 1024 * 1024 - 2));
    expect((await client.publish({ axonId, ...ok, payload: atLimit })).sequence).toBe(1n);
  });

  test("a deleted axon is NOT_FOUND for every RPC, and its events are no longer served", async () => {
    const axonId = await newAxon();
    await client.publish({ axonId, ...ok });
    await client.deleteAxon({ id: axonId });
    for (const call of [
      client.publish({ axonId, ...ok }),
      client.publishBatch({ axonId, events: [ok] }),
      client.getAxon({ id: axonId }),
      client.listEvents({ axonId }),
      client.deleteAxon({ id: axonId }),
    ]) {
      expect((await rejection(call)).code).toBe(Code.NotFound);
    }
  });
});
