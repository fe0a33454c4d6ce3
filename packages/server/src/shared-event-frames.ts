import { WireType } from "@bufbuild/protobuf/wire";
import type { EventBatch } from "@openaxon/protocol";
import type { StoredEvent } from "@openaxon/store";
import { encodeEventBatch } from "./event-batch-wire.js";

// Live fan-out: every subscriber of an axon receives the same commits, so each commit is encoded
// once and its bytes are shared. The cache is keyed by the commit array the store's tail signal
// delivered (catchUpThenLive passes it through untouched), and lives exactly as long as some
// subscriber still holds that commit. Protobuf repeated fields concatenate, so a frame is just the
// commits' `events` entries one after another (see preEncodedEventBatch for how they travel).

interface EncodedCommit {
  /** `EventBatch.events` entries of the commit's events. */
  readonly bytes: Buffer;
  /** End offset of each event's entry. */
  readonly ends: readonly number[];
  /** The whole commit as one enveloped SubscribeResponse, once a live sink has needed it. */
  enveloped?: Buffer;
}

const encodedCommits = new WeakMap<readonly StoredEvent[], EncodedCommit>();

/** The commit's encoding, computed by the first subscriber to need it and shared by the rest. */
export function encodedCommit(commit: readonly StoredEvent[]): EncodedCommit {
  let encoded = encodedCommits.get(commit);
  if (!encoded) {
    const ends: number[] = [];
    encoded = { bytes: encodeEventBatch(commit, ends), ends };
    encodedCommits.set(commit, encoded);
  }
  return encoded;
}

/**
 * Event batches for whole commits, each at most `maxFrameBytes` unless one event alone is larger:
 * consecutive commits share a frame, and a commit larger than a frame is cut between events.
 * Yields shared byte ranges (no copy); `frameOf` turns them into a message.
 */
export function* sharedEventFrames(
  commits: readonly (readonly StoredEvent[])[],
  maxFrameBytes: number,
): Generator<Buffer[]> {
  let pieces: Buffer[] = [];
  let size = 0;
  const add = (piece: Buffer) => {
    if (size > 0 && size + piece.length > maxFrameBytes) {
      const full = pieces;
      pieces = [piece];
      size = piece.length;
      return full;
    }
    pieces.push(piece);
    size += piece.length;
    return undefined;
  };
  for (const commit of commits) {
    const { bytes, ends } = encodedCommit(commit);
    if (bytes.length <= maxFrameBytes) {
      const full = add(bytes);
      if (full) yield full;
      continue;
    }
    let start = 0;
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i]!;
      const next = ends[i + 1];
      // Cut after this event if the next one would push the piece past the frame size.
      if (next === undefined || next - start > maxFrameBytes - size) {
        const full = add(bytes.subarray(start, end));
        if (full) yield full;
        start = end;
      }
    }
  }
  if (size > 0) yield pieces;
}

const piecesOfBatch = new WeakMap<EventBatch, readonly Buffer[]>();

/** An EventBatch whose events are the given pre-encoded entries (binary codecs only). */
export function sharedEventBatch(pieces: readonly Buffer[]): EventBatch {
  const batch: EventBatch = {
    $typeName: "openaxon.v1.EventBatch",
    events: [],
    $unknown: pieces.map((piece) => ({ no: 1, wireType: WireType.LengthDelimited, data: piece.subarray(1) })),
  };
  piecesOfBatch.set(batch, pieces);
  return batch;
}

/**
 * The shared pieces a sharedEventBatch was made of (the same Buffers for every subscriber), so a
 * transport that writes bytes itself can reuse their encoding; undefined for any other batch.
 */
export const sharedPiecesOf = (batch: EventBatch): readonly Buffer[] | undefined => piecesOfBatch.get(batch);

/** Bytes a frame of these pieces puts on the wire (before gRPC/Connect framing). */
export const piecesSize = (pieces: readonly Buffer[]) => pieces.reduce((n, p) => n + p.length, 0);
