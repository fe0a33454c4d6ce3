import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catchUpThenLive } from "../catch-up-then-live.js";
import { EventsTrimmedError, RetentionUnsupportedError } from "../errors.js";
import { type LogStore, storedEventBytes } from "../log-store.js";
import type { LogStoreContractSubject } from "./log-store-contract.js";
import { userEvent } from "./user-event.js";

export interface RetentionContractOptions {
  /**
   * False for stores that cannot enforce per-axon retention: they must refuse it with
   * RetentionUnsupportedError and still report first_sequence 1 and run (empty) retention passes.
   */
  readonly supported: boolean;
  readonly timeoutMs?: number;
}

/**
 * What every LogStore promises about retention: update of name/labels/retention, first_sequence,
 * trimming by max_events and max_bytes (max_age needs a clock the test controls, so it is tested
 * per store), reads below the line throw EventsTrimmedError with the first available sequence,
 * a follower whose next event is trimmed gets that error too, and sequences are never reused.
 */
export function describeRetentionContract(
  name: string,
  makeSubject: () => Promise<LogStoreContractSubject>,
  options: RetentionContractOptions,
): void {
  const timeout = options.timeoutMs ?? 30_000;
  describe(`${name}: the retention contract`, () => {
    let subject: LogStoreContractSubject;
    let store: LogStore;
    beforeEach(async () => {
      subject = await makeSubject();
      store = subject.store;
    }, timeout);
    afterEach(async () => {
      await subject.dispose();
    }, timeout);

    it(
      "updates name and labels, keeping the head; unknown axons are undefined",
      async () => {
        const a = await store.createAxon({ name: "a", labels: { k: "v" } });
        expect(a.firstSequence).toBe(1);
        expect(a.retention).toBeUndefined();
        await store.append(a.id, [userEvent(), userEvent()]);
        const updated = await store.updateAxon(a.id, { name: "b", labels: {} });
        expect(updated).toMatchObject({ id: a.id, name: "b", labels: {}, headSequence: 2, firstSequence: 1 });
        expect(await store.getAxon(a.id)).toEqual(updated);
        expect(await store.updateAxon("axn_nope", { name: "x" })).toBeUndefined();
        await store.deleteAxon(a.id);
        expect(await store.updateAxon(a.id, { name: "x" })).toBeUndefined();
      },
      timeout,
    );

    if (!options.supported) {
      it(
        "refuses retention it cannot enforce, and passes trim nothing",
        async () => {
          await expect(
            store.createAxon({ name: "", labels: {}, retention: { maxEvents: 3 } }),
          ).rejects.toBeInstanceOf(RetentionUnsupportedError);
          const a = await store.createAxon({ name: "", labels: {}, retention: {} });
          await expect(store.updateAxon(a.id, { retention: { maxAgeMs: 1000 } })).rejects.toBeInstanceOf(
            RetentionUnsupportedError,
          );
          expect(await store.updateAxon(a.id, { retention: null })).toMatchObject({ firstSequence: 1 });
          await store.append(a.id, [userEvent(), userEvent()]);
          expect(await store.applyRetention()).toMatchObject({ axonsTrimmed: 0, eventsTrimmed: 0 });
          expect((await store.read(a.id, { afterSequence: 0, limit: 10 })).map((e) => e.sequence)).toEqual([
            1, 2,
          ]);
        },
        timeout,
      );
      return;
    }

    it(
      "trims to max_events in the background: reads below the line are out of range, sequences go on",
      async () => {
        const a = await store.createAxon({ name: "", labels: {}, retention: { maxEvents: 3 } });
        expect(a.retention).toEqual({ maxEvents: 3 });
        for (let i = 1; i <= 10; i++) await store.append(a.id, [userEvent({ i })]);
        // One batch across the line: its chunk straddles it and must never show its trimmed part.
        await store.append(
          a.id,
          [11, 12, 13, 14, 15].map((i) => userEvent({ i })),
        );
        expect((await store.getAxon(a.id))?.firstSequence).toBe(1);
        expect(await store.applyRetention()).toMatchObject({ axonsTrimmed: 1, eventsTrimmed: 12 });
        expect(await store.getAxon(a.id)).toMatchObject({ headSequence: 15, firstSequence: 13 });
        expect((await store.read(a.id, { afterSequence: 0, limit: 10 })).map((e) => e.sequence)).toEqual([
          13, 14, 15,
        ]);
        expect((await store.read(a.id, { afterSequence: 12, limit: 10 })).map((e) => e.sequence)).toEqual([
          13, 14, 15,
        ]);
        const below = await store.read(a.id, { afterSequence: 5, limit: 10 }).catch((e: unknown) => e);
        expect(below).toBeInstanceOf(EventsTrimmedError);
        expect(below).toMatchObject({
          axonId: a.id,
          firstSequence: 13,
          headSequence: 15,
          requestedSequence: 6,
        });
        // Inside the straddling chunk, below the line: still out of range, never events 12..
        await expect(store.read(a.id, { afterSequence: 11, limit: 10 })).rejects.toMatchObject({
          name: "EventsTrimmedError",
          requestedSequence: 12,
        });
        expect(
          (await store.read(a.id, { afterSequence: 0, limit: 10, descending: true })).map((e) => e.sequence),
        ).toEqual([15, 14, 13]);
        await expect(
          store.read(a.id, { afterSequence: 13, limit: 10, descending: true }),
        ).rejects.toBeInstanceOf(EventsTrimmedError);
        // Never reused: the next append continues after the head, and a second pass keeps 3.
        expect(await store.append(a.id, [userEvent()])).toMatchObject({ firstSequence: 16 });
        await store.applyRetention();
        expect(await store.getAxon(a.id)).toMatchObject({ headSequence: 16, firstSequence: 14 });
      },
      timeout,
    );

    it(
      "trims to max_bytes, counting stored bytes",
      async () => {
        const event = userEvent({ pad: "x".repeat(100) });
        const size = storedEventBytes(event);
        const a = await store.createAxon({ name: "", labels: {}, retention: { maxBytes: size * 4 + 1 } });
        for (let i = 0; i < 10; i++) await store.append(a.id, [event]);
        await store.applyRetention();
        expect(await store.getAxon(a.id)).toMatchObject({ headSequence: 10, firstSequence: 7 });
      },
      timeout,
    );

    it(
      "applies retention set by update, and removing it stops trimming",
      async () => {
        const a = await store.createAxon({ name: "", labels: {} });
        for (let i = 0; i < 6; i++) await store.append(a.id, [userEvent({ i })]);
        expect(await store.updateAxon(a.id, { retention: { maxEvents: 2, maxAgeMs: 0 } })).toMatchObject({
          retention: { maxEvents: 2 },
          firstSequence: 1,
        });
        await store.applyRetention();
        expect((await store.getAxon(a.id))?.firstSequence).toBe(5);
        // One limit changed on its own keeps the others.
        expect(await store.updateAxon(a.id, { retentionLimits: { maxAgeMs: 60_000 } })).toMatchObject({
          retention: { maxEvents: 2, maxAgeMs: 60_000 },
        });
        const cleared = await store.updateAxon(a.id, { retention: null });
        expect(cleared?.retention).toBeUndefined();
        await store.append(a.id, [userEvent(), userEvent(), userEvent()]);
        await store.applyRetention();
        // The line never moves back down: trimmed events are gone for good.
        expect(await store.getAxon(a.id)).toMatchObject({ headSequence: 9, firstSequence: 5 });
      },
      timeout,
    );

    it(
      "ends a follower whose next event was trimmed with EventsTrimmedError, never skipping",
      async () => {
        const a = await store.createAxon({ name: "", labels: {}, retention: { maxEvents: 2 } });
        for (let i = 0; i < 8; i++) await store.append(a.id, [userEvent({ i })]);
        const follower = catchUpThenLive(store, a.id, { afterSequence: 0, batchSize: 2 });
        const firstItem = await follower.next();
        expect(firstItem.value).toMatchObject({ kind: "events" });
        await store.applyRetention();
        // The follower's first page was 1..2 before the pass (it may have read one page ahead);
        // a later read needs an event below 7, now trimmed.
        const seen: number[] = [];
        const error = await (async () => {
          for await (const item of follower) {
            if (item.kind === "events") seen.push(...item.events.map((e) => e.sequence));
            if (item.kind === "caught_up") return undefined;
          }
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventsTrimmedError);
        expect(error).toMatchObject({ firstSequence: 7 });
        // What it got before the error continues 1..2 with no gap, and stays below the line.
        expect(seen).toEqual([3, 4, 5, 6].slice(0, seen.length));
      },
      timeout,
    );
  });
}
