import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { isFiltering, matches, type TimelineFilter } from "./filter.js";
import { ItemView, type ItemViewProps } from "./item-view.js";
import type { TimelineModel } from "./timeline-model.js";
import { useVirtualizer } from "./use-virtualizer.js";

export interface TimelineViewProps {
  readonly model: TimelineModel;
  readonly version: number;
  readonly filter: TimelineFilter;
  /** Scroll to the item holding this sequence (bump `nonce` to jump again to the same one). */
  readonly jumpTo: { sequence: number; nonce: number } | undefined;
  readonly selectedKey: number | undefined;
  readonly onSelect: ItemViewProps["onSelect"];
  readonly onAnswer: ItemViewProps["onAnswer"];
}

/**
 * The virtualised timeline: only the rows on screen are in the DOM, so a 100k-event axon draws
 * as fast as a small one. It follows the tail while the reader is at the bottom; scrolled up, it
 * stays put and counts what arrived below.
 */
export function TimelineView(props: TimelineViewProps) {
  const { model, version, filter } = props;
  const scroller = useRef<HTMLDivElement>(null);
  // Indexes into model.items of the rows shown; identity when nothing is filtered.
  const rows = useMemo(() => {
    if (!isFiltering(filter)) return undefined;
    const shown: number[] = [];
    model.items.forEach((item, i) => {
      if (matches(item, filter)) shown.push(i);
    });
    return shown;
  }, [model, version, filter]);
  const count = rows ? rows.length : model.items.length;
  const itemAt = (row: number) => model.items[rows ? rows[row]! : row]!;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => 44,
    getItemKey: (row) => itemAt(row).key,
    overscan: 8,
  });

  const following = useRef(true);
  const seenCount = useRef(0);
  const [unseen, setUnseen] = useState(0);
  useLayoutEffect(() => {
    if (count === 0) return;
    if (following.current) {
      virtualizer.scrollToIndex(count - 1, { align: "end" });
      seenCount.current = count;
      setUnseen(0);
    } else {
      setUnseen(Math.max(0, count - seenCount.current));
    }
  }, [count, virtualizer]);

  // Only the reader stops the follow. The timeline's own scrolls (to the tail while a long replay
  // lands in batches, re-measured rows) also fire scroll events, often between a new count and its
  // layout, where "not at the end" is momentary; treating those as the reader's would strand a big
  // axon short of its tail.
  const readerScrolling = useRef(false);
  const onReaderInput = () => {
    readerScrolling.current = true;
  };
  const onScroll = (event: Event) => {
    // From the element itself: this handler can run before the virtualizer's own scroll listener
    // has updated its offset, so virtualizer.isAtEnd() may still describe the previous position.
    const el = event.currentTarget as HTMLDivElement;
    if (el.scrollHeight - el.scrollTop - el.clientHeight <= 40) {
      following.current = true;
      readerScrolling.current = false;
      seenCount.current = count;
      setUnseen(0);
    } else if (readerScrolling.current) {
      following.current = false;
    }
  };

  const jumpTo = props.jumpTo;
  useEffect(() => {
    if (!jumpTo) return;
    const index = model.indexOfSequence(jumpTo.sequence);
    if (index === undefined) return;
    const row = rows ? lowerBound(rows, index) : index;
    following.current = false;
    seenCount.current = count;
    virtualizer.scrollToIndex(Math.min(row, count - 1), { align: "center" });
  }, [jumpTo]);

  // Keyboard: ↓/j and ↑/k move between events, Home/End to the first and last; Enter opens one.
  // The row keyboard focus is on its way to: focus lands a frame or more after the key, and a key
  // pressed meanwhile must step from where the previous key was going, not from the old row.
  const heading = useRef<number | undefined>(undefined);
  const focusRow = (row: number) => {
    const index = Math.max(0, Math.min(count - 1, row));
    heading.current = index;
    virtualizer.scrollToIndex(index, { align: "auto" });
    focusWhenDrawn(scroller.current, index, () => {
      if (heading.current === index) heading.current = undefined;
    });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    onReaderInput();
    const rowElement = (event.target as HTMLElement).closest?.("[data-index]");
    const current =
      heading.current ?? (rowElement ? Number(rowElement.getAttribute("data-index")) : undefined);
    const step = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 }[event.key];
    if (step !== undefined) {
      event.preventDefault();
      const visible = virtualizer.getVirtualItems();
      const from =
        current ?? (step > 0 ? (visible[0]?.index ?? 0) - 1 : (visible.at(-1)?.index ?? count) + 1);
      focusRow(from + step);
    } else if (current !== undefined && (event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      focusRow(event.key === "Home" ? 0 : count - 1);
    }
  };

  const toEnd = () => {
    following.current = true;
    readerScrolling.current = false;
    seenCount.current = count;
    setUnseen(0);
    virtualizer.scrollToIndex(count - 1, { align: "end" });
  };

  return (
    <div class="timeline-wrap">
      <div
        class="timeline"
        role="log"
        aria-label="Timeline"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
        tabIndex={0}
        ref={scroller}
        onScroll={onScroll}
        onWheel={onReaderInput}
        onTouchMove={onReaderInput}
        onPointerDown={onReaderInput}
        onKeyDown={onKeyDown}
        data-testid="timeline"
      >
        <div class="timeline-inner" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {virtualizer.getVirtualItems().map((v) => {
            const item = itemAt(v.index);
            return (
              <div
                key={v.key}
                class="row"
                data-index={v.index}
                ref={virtualizer.measureElement}
                style={{ transform: `translateY(${v.start}px)` }}
              >
                <ItemView
                  item={item}
                  selected={item.key === props.selectedKey}
                  onSelect={props.onSelect}
                  onAnswer={props.onAnswer}
                />
              </div>
            );
          })}
        </div>
      </div>
      {unseen > 0 && (
        <button type="button" class="new-events" onClick={toEnd}>
          {unseen} new event{unseen === 1 ? "" : "s"} ↓
        </button>
      )}
      {count === 0 && (
        <p class="muted empty">No events{isFiltering(filter) ? " match the filter" : " yet"}.</p>
      )}
    </div>
  );
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Focuses a row once the virtualizer has drawn it (it may take a frame or two after a scroll). */
function focusWhenDrawn(scroller: HTMLElement | null, index: number, done: () => void, frames = 10): void {
  requestAnimationFrame(() => {
    const item = scroller?.querySelector<HTMLElement>(`[data-index="${index}"] .item`);
    if (item) item.focus({ preventScroll: true });
    if (item || frames === 0) done();
    else focusWhenDrawn(scroller, index, done, frames - 1);
  });
}
