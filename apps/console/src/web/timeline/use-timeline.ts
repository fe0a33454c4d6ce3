import type { AxonEvent } from "@openaxon/client";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import { TimelineModel } from "./timeline-model.js";

export interface TimelineState {
  readonly model: TimelineModel;
  /** Bumped whenever items change; the view re-renders on it. */
  readonly version: number;
  readonly caughtUp: boolean;
  readonly error: unknown;
}

/** How often buffered live events are folded in and drawn: a 100k replay draws a few dozen times, not 100k. */
const FLUSH_MS = 50;

/** Follows an axon from its first event, live, folding events into a TimelineModel in batches. */
export function useTimeline(axonId: string): TimelineState {
  const model = useRef(new TimelineModel()).current;
  const [state, setState] = useState({ version: 0, caughtUp: false, error: undefined as unknown });
  useEffect(() => {
    const abort = new AbortController();
    let buffer: AxonEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      model.append(buffer);
      buffer = [];
      setState((s) => ({ ...s, version: s.version + 1 }));
    };
    void (async () => {
      try {
        for await (const event of api()
          .axon(axonId)
          .subscribe({
            afterSequence: model.lastSequence,
            signal: abort.signal,
            // Fold what the replay delivered first, so "caught up" means the items are there.
            onCaughtUp: () => {
              if (timer) clearTimeout(timer);
              flush();
              setState((s) => ({ ...s, caughtUp: true }));
            },
          })) {
          buffer.push(event);
          timer ??= setTimeout(flush, FLUSH_MS);
        }
      } catch (error) {
        if (!abort.signal.aborted) setState((s) => ({ ...s, error }));
      }
    })();
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [axonId, model]);
  return { model, ...state };
}
