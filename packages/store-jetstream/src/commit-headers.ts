import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";

/**
 * What a commit message says about itself in NATS headers, so index scans can run headers-only:
 * the axon sequence of its first event, how many events it holds, their timestamp, the
 * idempotency key it was appended with, and a per-publish id to settle an ambiguous publish.
 * The axon's stream opens with a genesis commit of no events (first 1, count 0), so every append
 * expects a real last sequence (never "empty").
 */
export interface CommitInfo {
  readonly first: number;
  readonly count: number;
  readonly timestampMs: number;
  readonly idempotencyKey?: string;
  readonly publishId?: string;
}

const H = {
  first: "Oa-First",
  count: "Oa-Count",
  timestamp: "Oa-Ts",
  idempotencyKey: "Oa-Idem",
  publishId: "Oa-Pub",
} as const;

export function encodeCommitInfo(info: CommitInfo): MsgHdrs {
  const h = natsHeaders();
  h.set(H.first, String(info.first));
  h.set(H.count, String(info.count));
  h.set(H.timestamp, String(info.timestampMs));
  // Header values are one line of text: the key is carried percent-encoded.
  if (info.idempotencyKey !== undefined) h.set(H.idempotencyKey, encodeURIComponent(info.idempotencyKey));
  if (info.publishId !== undefined) h.set(H.publishId, info.publishId);
  return h;
}

/** Undefined when the message is not a commit (no or malformed headers). */
export function decodeCommitInfo(h: MsgHdrs | undefined): CommitInfo | undefined {
  if (!h) return undefined;
  const first = Number(h.get(H.first));
  const count = Number(h.get(H.count));
  const timestampMs = Number(h.get(H.timestamp));
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || !Number.isFinite(timestampMs)) {
    return undefined;
  }
  const idem = h.get(H.idempotencyKey);
  const publishId = h.get(H.publishId);
  return {
    first,
    count,
    timestampMs,
    ...(idem ? { idempotencyKey: decodeURIComponent(idem) } : {}),
    ...(publishId ? { publishId } : {}),
  };
}

/** The axon head once this commit is the last one on the subject. */
export const headAfter = (info: CommitInfo): number => info.first + info.count - 1;
