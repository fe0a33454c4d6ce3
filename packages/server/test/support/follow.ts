import { type ConnectError, ConnectError as ConnectErrorClass } from "@connectrpc/connect";
import type { Event, SubscribeRequest, SubscribeResponse } from "@openaxon/protocol";
import { vi } from "vitest";
import type { AxonClient } from "./harness.js";

/** A Subscribe stream read in the background, so tests can publish while it runs. */
export interface Follower {
  readonly frames: SubscribeResponse[];
  events(): Event[];
  sequences(): number[];
  readonly error: ConnectError | undefined;
  readonly ended: boolean;
  /** Resolves when the stream has ended (normally or with an error). */
  readonly done: Promise<void>;
  waitFor(predicate: (f: Follower) => boolean, timeoutMs?: number): Promise<void>;
  waitForEvents(count: number): Promise<void>;
  cancel(): Promise<void>;
}

export function follow(
  client: AxonClient,
  request: Partial<Omit<SubscribeRequest, "$typeName">> & { axonId: string },
): Follower {
  const abort = new AbortController();
  const frames: SubscribeResponse[] = [];
  let error: ConnectError | undefined;
  let ended = false;
  const done = (async () => {
    try {
      for await (const frame of client.subscribe(request, { signal: abort.signal })) frames.push(frame);
    } catch (e) {
      error = ConnectErrorClass.from(e);
    } finally {
      ended = true;
    }
  })();
  const follower: Follower = {
    frames,
    events: () => frames.flatMap((f) => (f.kind.case === "events" ? f.kind.value.events : [])),
    sequences: () => follower.events().map((e) => Number(e.sequence)),
    get error() {
      return error;
    },
    get ended() {
      return ended;
    },
    done,
    async waitFor(predicate, timeoutMs = 10_000) {
      await vi.waitFor(
        () => {
          if (!predicate(follower)) {
            if (ended) throw new Error(`stream ended (${error?.message ?? "ok"}) before the condition held`);
            throw new Error("condition not met yet");
          }
        },
        { timeout: timeoutMs, interval: 5 },
      );
    },
    waitForEvents: (count) => follower.waitFor((f) => f.events().length >= count),
    async cancel() {
      abort.abort();
      await done;
    },
  };
  return follower;
}

export const kinds = (f: Follower) => f.frames.map((frame) => frame.kind.case);
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
