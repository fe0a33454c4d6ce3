// The cheapest SubscribeResponse reader the fan-out bench can use: per event only the sequence and
// the publisher's send time, which the payload carries first as {"t":<ms>,…}. Everything else is
// skipped unread, so 1,000 subscribers cost the bench little CPU next to the server.

export type SequenceFrame =
  | { readonly kind: "events"; readonly count: number }
  | { readonly kind: "caughtUp" | "heartbeat" | "fellBehind" | "other" };

/** Leading bytes of every fan-out payload; the send time follows. */
export const SENT_AT_PREFIX = '{"t":';

export function varint(buf: Buffer, at: { pos: number }): number {
  let result = 0;
  let scale = 1;
  for (;;) {
    const byte = buf[at.pos++]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return result;
    scale *= 0x80;
  }
}

export function skip(buf: Buffer, at: { pos: number }, wireType: number): void {
  if (wireType === 0) varint(buf, at);
  else if (wireType === 2) {
    const length = varint(buf, at); // read first: `at.pos += varint(…)` would add to the old position
    at.pos += length;
  } else if (wireType === 1) at.pos += 8;
  else if (wireType === 5) at.pos += 4;
  else throw new Error(`unexpected wire type ${wireType}`);
}

/** Parses the decimal number after {"t": at `start`; NaN when the payload is not one of ours. */
function sentAt(buf: Buffer, start: number, end: number): number {
  if (end - start < 6 || buf[start] !== 0x7b || buf[start + 1] !== 0x22 || buf[start + 2] !== 0x74) {
    return Number.NaN;
  }
  let whole = 0;
  let fraction = 0;
  let scale = 1;
  let dot = false;
  for (let i = start + 5; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x2e) dot = true;
    else if (c >= 0x30 && c <= 0x39) {
      if (dot) {
        scale /= 10;
        fraction += (c - 0x30) * scale;
      } else whole = whole * 10 + (c - 0x30);
    } else break;
  }
  return whole + fraction;
}

/**
 * Reads one SubscribeResponse; for an event batch calls `onEvent(sequence, sentAtMs, sequencedAtMs)`
 * per event (sentAtMs NaN when the payload has no send time; sequencedAtMs is the server's
 * timestamp_ms, set when the store sequenced it, just before its group commit).
 */
export function readSubscribeResponse(
  message: Buffer,
  onEvent: (sequence: number, sentAtMs: number, sequencedAtMs: number) => void,
): SequenceFrame {
  const at = { pos: 0 };
  while (at.pos < message.length) {
    const tag = varint(message, at);
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) {
      const batchLength = varint(message, at);
      const batchEnd = at.pos + batchLength;
      let count = 0;
      while (at.pos < batchEnd) {
        const eventTag = varint(message, at);
        if (eventTag !== 0x0a) {
          skip(message, at, eventTag & 7);
          continue;
        }
        const eventLength = varint(message, at);
        const eventEnd = at.pos + eventLength;
        let sequence = 0;
        let sent = Number.NaN;
        let sequenced = Number.NaN;
        while (at.pos < eventEnd) {
          const t = varint(message, at);
          if (t === 0x08) sequence = varint(message, at);
          else if (t === 0x18) sequenced = varint(message, at);
          else if (t === 0x3a) {
            const length = varint(message, at);
            sent = sentAt(message, at.pos, at.pos + length);
            at.pos += length;
          } else skip(message, at, t & 7);
        }
        onEvent(sequence, sent, sequenced);
        count++;
      }
      return { kind: "events", count };
    }
    if (field === 2) return { kind: "caughtUp" };
    if (field === 3) return { kind: "heartbeat" };
    if (field === 4) return { kind: "fellBehind" };
    skip(message, at, tag & 7);
  }
  return { kind: "other" };
}

/** SubscribeRequest { axon_id = 1; after_sequence = 2 }. */
export function encodeSubscribeRequest(axonId: string, afterSequence = 0): Buffer {
  const id = Buffer.from(axonId);
  const parts = [0x0a, ...varintBytes(id.length)];
  const tail = afterSequence > 0 ? [0x10, ...varintBytes(afterSequence)] : [];
  return Buffer.concat([Buffer.from(parts), id, Buffer.from(tail)]);
}

export function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
