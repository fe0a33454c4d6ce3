import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catchUpThenLive, type FollowItem } from "../catch-up-then-live.js";
import { AxonNotFoundError, ExpectedHeadMismatchError, StoreClosedError } from "../errors.js";
import type { LogStore } from "../log-store.js";
import type { RecordStore } from "../record-store.js";
import { modelSlice } from "./read-model.js";
import { userEvent } from "./user-event.js";

/** One store under test, fresh for every case. */
export interface LogStoreContractSubject {
  readonly store: LogStore & RecordStore;
  /** Closes the store (if the case did not) and removes what the subject made. */
  dispose(): Promise<void>;
}

export interface LogStoreContractOptions {
  /** fast-check runs for the property cases; remote stores take fewer. Default 40. */
  readonly numRuns?: number;
  /** Per case. Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * The promises every `LogStore` makes to the server, broker and runtime: 1-based gap-free
 * sequences under concurrent appends, atomic batches, `expectedHead`, idempotency keys (also when
 * the retry races the original), reads both ways with limits and byte budgets, the tail signal
 * (in order, only readable events) and catch-up → live without skips or repeats, 4 MiB payloads,
 * small records, close. Each implementation's test file calls this once, as connect-es runs one
 * conformance suite against every transport, and keeps only its own extras beside it.
 */
export function describeLogStoreContract(
  name: string,
  makeSubject: () => Promise<LogStoreContractSubject>,
  options: LogStoreContractOptions = {},
): void {
  const numRuns = options.numRuns ?? 40;
  const timeout = options.timeoutMs ?? 30_000;

  describe(`${name}: the LogStore contract`, () => {
    let subject: LogStoreContractSubject;
    let store: LogStore & RecordStore;
    beforeEach(async () => {
      subject = await makeSubject();
      store = subject.store;
    }, timeout);
    afterEach(async () => {
      await subject.dispose();
    }, timeout);
    const axon = async () => (await store.createAxon({ name: "", labels: {} })).id;

    it(
      "creates, gets, lists by prefix in creation order, and deletes",
      async () => {
        const a = await store.createAxon({ name: "build-1", labels: { team: "x" } });
        const b = await store.createAxon({ name: "chat", labels: {} });
        const c = await store.createAxon({ name: "build-2", labels: {} });
        expect(a.id).toMatch(/^axn_/);
        expect(await store.getAxon(a.id)).toEqual({ ...a, headSequence: 0 });
        expect((await store.listAxons({ limit: 10 })).map((x) => x.id)).toEqual([a.id, b.id, c.id]);
        expect((await store.listAxons({ namePrefix: "build", limit: 10 })).map((x) => x.id)).toEqual([
          a.id,
          c.id,
        ]);
        expect((await store.listAxons({ afterId: a.id, limit: 1 })).map((x) => x.id)).toEqual([b.id]);
        expect(await store.deleteAxon(b.id)).toBe(true);
        expect(await store.getAxon(b.id)).toBeUndefined();
        expect(await store.deleteAxon(b.id)).toBe(false);
        expect((await store.listAxons({ limit: 10 })).map((x) => x.id)).toEqual([a.id, c.id]);
        await expect(store.append(b.id, [userEvent()])).rejects.toBeInstanceOf(AxonNotFoundError);
        await expect(store.read(b.id, { afterSequence: 0, limit: 10 })).rejects.toBeInstanceOf(
          AxonNotFoundError,
        );
        await expect(store.read("axn_nope", { afterSequence: 0, limit: 1 })).rejects.toBeInstanceOf(
          AxonNotFoundError,
        );
      },
      timeout,
    );

    it(
      "assigns 1-based consecutive sequences and reads them back in both directions",
      async () => {
        const id = await axon();
        expect(await store.append(id, [userEvent({ n: 1 })])).toMatchObject({
          firstSequence: 1,
          lastSequence: 1,
          duplicate: false,
        });
        expect(await store.append(id, [userEvent({ n: 2 }), userEvent({ n: 3 })])).toMatchObject({
          firstSequence: 2,
          lastSequence: 3,
        });
        const asc = await store.read(id, { afterSequence: 1, limit: 10 });
        expect(asc.map((e) => [e.sequence, JSON.parse(e.payload).n])).toEqual([
          [2, 2],
          [3, 3],
        ]);
        expect(asc[0]).toMatchObject({ axonId: id, origin: 3, source: "test", eventType: "user.message" });
        const desc = await store.read(id, { afterSequence: 0, limit: 2, descending: true });
        expect(desc.map((e) => e.sequence)).toEqual([3, 2]);
        const older = await store.read(id, { afterSequence: 3, limit: 10, descending: true });
        expect(older.map((e) => e.sequence)).toEqual([2, 1]);
        expect(await store.read(id, { afterSequence: 3, limit: 10 })).toEqual([]);
        expect((await store.getAxon(id))?.headSequence).toBe(3);
      },
      timeout,
    );

    it(
      "keeps sequences gap-free, batches contiguous and every payload at its sequence under concurrent appends",
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 24 }),
            async (sizes) => {
              const id = await axon();
              const results = await Promise.all(
                sizes.map((size, caller) =>
                  store.append(
                    id,
                    Array.from({ length: size }, (_, i) => userEvent({ caller, i })),
                  ),
                ),
              );
              const total = sizes.reduce((a, b) => a + b, 0);
              const events = await store.read(id, { afterSequence: 0, limit: total + 10 });
              expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
              results.forEach((r, caller) => {
                expect(r.lastSequence - r.firstSequence + 1).toBe(sizes[caller]);
                for (let s = r.firstSequence; s <= r.lastSequence; s++) {
                  expect(JSON.parse(events[s - 1]!.payload)).toEqual({ caller, i: s - r.firstSequence });
                  expect(events[s - 1]!.timestampMs).toBe(r.timestampMs);
                }
              });
              // Timestamps never go backwards along the log.
              for (let s = 1; s < events.length; s++) {
                expect(events[s]!.timestampMs).toBeGreaterThanOrEqual(events[s - 1]!.timestampMs);
              }
            },
          ),
          { numRuns },
        );
      },
      timeout * 4,
    );

    it(
      "dedupes an idempotency key for the axon's life, also when the retry races the original",
      async () => {
        const id = await axon();
        const [first, racing] = await Promise.all([
          store.append(id, [userEvent({ a: 1 })], { idempotencyKey: "k1" }),
          store.append(id, [userEvent({ a: 2 })], { idempotencyKey: "k1" }),
        ]);
        expect(first.duplicate).toBe(false);
        expect(racing).toEqual({ ...first, duplicate: true });
        // Later appends on top do not make the key forgettable.
        await store.append(id, [userEvent({ b: 1 })]);
        await store.append(id, [userEvent({ b: 2 })], { idempotencyKey: "k2" });
        const later = await store.append(id, [userEvent({ a: 3 })], { idempotencyKey: "k1" });
        expect(later).toEqual({ ...first, duplicate: true });
        expect((await store.append(id, [userEvent()], { idempotencyKey: "k2" })).firstSequence).toBe(3);
        expect((await store.read(id, { afterSequence: 0, limit: 10 })).map((e) => e.payload)).toEqual([
          '{"a":1}',
          '{"b":1}',
          '{"b":2}',
        ]);
        // Keys are per axon; any text is a key.
        const other = await axon();
        expect((await store.append(other, [userEvent()], { idempotencyKey: "k1" })).duplicate).toBe(false);
        const odd = "ключ with spaces/and.dots*>";
        const once = await store.append(other, [userEvent()], { idempotencyKey: odd });
        expect(await store.append(other, [userEvent()], { idempotencyKey: odd })).toEqual({
          ...once,
          duplicate: true,
        });
      },
      timeout,
    );

    it(
      "appends only at the expected head and reports the current head otherwise",
      async () => {
        const id = await axon();
        await store.append(id, [userEvent()], { expectedHead: 0 });
        const error = await store.append(id, [userEvent()], { expectedHead: 0 }).catch((e) => e);
        expect(error).toBeInstanceOf(ExpectedHeadMismatchError);
        expect(error).toMatchObject({ expectedHead: 0, currentHead: 1 });
        expect((await store.append(id, [userEvent()], { expectedHead: 1 })).lastSequence).toBe(2);
        const raced = await Promise.allSettled([
          store.append(id, [userEvent()], { expectedHead: 2 }),
          store.append(id, [userEvent()], { expectedHead: 2 }),
        ]);
        expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        expect((await store.getAxon(id))?.headSequence).toBe(3);
      },
      timeout,
    );

    it(
      "tells watchers about durable events in order, and only after they are readable",
      async () => {
        const id = await axon();
        const seen: number[] = [];
        const checks: Array<Promise<void>> = [];
        const unwatch = store.watch(id, (events) => {
          for (const e of events) seen.push(e.sequence);
          const last = events[events.length - 1]!.sequence;
          checks.push(
            store
              .read(id, { afterSequence: last - 1, limit: 1 })
              .then((r) => expect(r[0]?.sequence).toBe(last)),
          );
        });
        await Promise.all(Array.from({ length: 30 }, (_, i) => store.append(id, [userEvent({ i })])));
        await waitUntil(() => seen.length >= 30);
        unwatch();
        await store.append(id, [userEvent()]);
        await Promise.all(checks);
        expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      },
      timeout,
    );

    it(
      "follows an axon from any point: replay, caught_up, then live, no sequence skipped or repeated",
      async () => {
        const id = await axon();
        for (let i = 0; i < 5; i++) await store.append(id, [userEvent({ i }), userEvent({ i, j: 1 })]);
        const abort = new AbortController();
        const follow = catchUpThenLive(store, id, { afterSequence: 3, batchSize: 4, signal: abort.signal });
        const items: FollowItem[] = [];
        const got: number[] = [];
        const next = async () => {
          const { value } = await follow.next();
          if (!value) throw new Error("follow ended");
          items.push(value);
          if (value.kind === "events") got.push(...value.events.map((e) => e.sequence));
          return value;
        };
        while ((await next()).kind !== "caught_up");
        expect(got).toEqual([4, 5, 6, 7, 8, 9, 10]);
        // Live: appends racing each other (and the follower) arrive in order, once each.
        const writes = Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            store.append(id, [userEvent({ live: i }), userEvent({ live: i, j: 1 })]),
          ),
        );
        while (got.at(-1) !== 20) await next();
        await writes;
        abort.abort();
        await follow.return();
        expect(got).toEqual(Array.from({ length: 17 }, (_, i) => i + 4));
        expect(items.filter((i) => i.kind === "caught_up")).toHaveLength(1);
      },
      timeout,
    );

    it(
      "stores 4 MiB payloads, in one batch with small events, and reads them whole",
      async () => {
        const id = await axon();
        const big = "x".repeat(4 * 1024 * 1024 - 16);
        const payload = JSON.stringify({ big });
        const result = await store.append(id, [userEvent({ s: 1 }), { ...userEvent(), payload }]);
        expect(result).toMatchObject({ firstSequence: 1, lastSequence: 2 });
        const [small, large] = await store.read(id, { afterSequence: 0, limit: 10 });
        expect(small?.payload).toBe('{"s":1}');
        expect(large?.payload.length).toBe(payload.length);
        expect(large?.payload === payload).toBe(true);
      },
      timeout,
    );

    it(
      "stops a read once the byte budget is spent, returning at least one event, without skipping",
      async () => {
        const id = await axon();
        const big = "x".repeat(1000);
        for (let i = 0; i < 20; i++) await store.append(id, [userEvent({ big, i })]);
        const page = await store.read(id, { afterSequence: 0, limit: 100, maxBytes: 3500 });
        expect(page.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
        const one = await store.read(id, { afterSequence: 4, limit: 100, maxBytes: 1 });
        expect(one.map((e) => e.sequence)).toEqual([5]);
        const desc = await store.read(id, { afterSequence: 0, limit: 100, maxBytes: 2500, descending: true });
        expect(desc.map((e) => e.sequence)).toEqual([20, 19, 18]);
        expect(await store.read(id, { afterSequence: 0, limit: 100, maxBytes: 10 ** 9 })).toHaveLength(20);
      },
      timeout,
    );

    it(
      "returns exactly the model's slice for any start, limit, direction and byte budget",
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }),
            fc.array(
              fc.record({
                after: fc.nat(260),
                limit: fc.integer({ min: 1, max: 120 }),
                descending: fc.boolean(),
                maxBytes: fc.option(fc.integer({ min: 1, max: 4000 }), { nil: undefined }),
              }),
              { minLength: 1, maxLength: 6 },
            ),
            async (appendSizes, reads) => {
              const id = await axon();
              for (const size of appendSizes) {
                await store.append(
                  id,
                  Array.from({ length: size }, (_, i) => userEvent({ i })),
                );
              }
              const total = appendSizes.reduce((a, b) => a + b, 0);
              const all = await store.read(id, { afterSequence: 0, limit: 10_000 });
              expect(all.map((e) => e.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
              for (const r of reads) {
                const got = await store.read(id, {
                  afterSequence: r.after,
                  limit: r.limit,
                  descending: r.descending,
                  maxBytes: r.maxBytes,
                });
                expect(got).toEqual(modelSlice(all, r));
              }
            },
          ),
          { numRuns },
        );
      },
      timeout * 4,
    );

    it(
      "stores small records for other subsystems",
      async () => {
        await store.putRecord("runtime", "rt_1", { status: "running" });
        await store.putRecord("runtime", "rt_2", { status: "suspended" });
        await store.putRecord("policy", "np_1", {});
        expect(await store.getRecord("runtime", "rt_1")).toEqual({ status: "running" });
        await store.putRecord("runtime", "rt_1", { status: "stopped" });
        expect(await store.getRecord("runtime", "rt_1")).toEqual({ status: "stopped" });
        expect(await store.listRecords("runtime")).toHaveLength(2);
        await store.deleteRecord("runtime", "rt_1");
        expect(await store.getRecord("runtime", "rt_1")).toBeUndefined();
        expect(await store.listRecords("runtime")).toEqual([{ status: "suspended" }]);
      },
      timeout,
    );

    it(
      "refuses calls after close",
      async () => {
        const id = await axon();
        await store.append(id, [userEvent()]);
        await store.close();
        await expect(store.read(id, { afterSequence: 0, limit: 1 })).rejects.toBeInstanceOf(StoreClosedError);
        await expect(store.append(id, [userEvent()])).rejects.toBeInstanceOf(StoreClosedError);
      },
      timeout,
    );
  });
}

/**
 * Polls until `done` holds, on real time: a networked store delivers its tail signal over the
 * wire, so the test (not the store) waits a little between looks.
 */
export async function waitUntil(done: () => boolean, attempts = 2000): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i === attempts) throw new Error("condition not reached in time");
    await sleep(i < 10 ? 0 : 5);
  }
}
