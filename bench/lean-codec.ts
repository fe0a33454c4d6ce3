// Hand-written protobuf for the lean client: the PublishBatchRequest it sends and the
// SubscribeResponse frames it reads, per axon.proto. Decoding is complete (every event field,
// strings included), as a real consumer needs; it is only cheaper than protobuf-es's reflection.

export interface LeanEventInput {
  readonly origin: number;
  readonly source: string;
  readonly eventType: string;
  readonly payload: string;
}

export interface LeanEvent {
  sequence: number;
  axonId: string;
  timestampMs: number;
  origin: number;
  source: string;
  eventType: string;
  payload: string;
}

export type LeanFrame =
  | { readonly kind: "events"; readonly events: LeanEvent[] }
  | { readonly kind: "caughtUp" | "heartbeat" | "fellBehind" };

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

function writeVarint(buf: Buffer, offset: number, value: number): number {
  let o = offset;
  let v = value;
  while (v >= 0x80) {
    buf[o++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[o++] = v;
  return o;
}

function writeString(buf: Buffer, offset: number, tag: number, value: string, bytes: number): number {
  if (bytes === 0) return offset;
  buf[offset] = tag;
  const o = writeVarint(buf, offset + 1, bytes);
  return o + buf.write(value, o, bytes, "utf8");
}

const stringField = (bytes: number) => (bytes === 0 ? 0 : 1 + varintSize(bytes) + bytes);

/** PublishBatchRequest { axon_id = 1; repeated EventInput events = 2 } with EventInput's fields 1–4. */
export function encodePublishBatch(axonId: string, events: readonly LeanEventInput[]): Buffer {
  const axonIdBytes = Buffer.byteLength(axonId);
  const sizes = events.map((e) => {
    const source = Buffer.byteLength(e.source);
    const eventType = Buffer.byteLength(e.eventType);
    const payload = Buffer.byteLength(e.payload);
    const body =
      (e.origin === 0 ? 0 : 1 + varintSize(e.origin)) +
      stringField(source) +
      stringField(eventType) +
      stringField(payload);
    return { source, eventType, payload, body };
  });
  const total = stringField(axonIdBytes) + sizes.reduce((n, s) => n + 1 + varintSize(s.body) + s.body, 0);
  const buf = Buffer.allocUnsafe(total);
  let o = writeString(buf, 0, 0x0a, axonId, axonIdBytes);
  events.forEach((e, i) => {
    const s = sizes[i]!;
    buf[o++] = 0x12;
    o = writeVarint(buf, o, s.body);
    if (e.origin !== 0) {
      buf[o++] = 0x08;
      o = writeVarint(buf, o, e.origin);
    }
    o = writeString(buf, o, 0x12, e.source, s.source);
    o = writeString(buf, o, 0x1a, e.eventType, s.eventType);
    o = writeString(buf, o, 0x22, e.payload, s.payload);
  });
  return buf;
}

/** A cursor over protobuf bytes. */
class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
  }

  /** Skips a field of this wire type (varint or length-delimited: all this API uses). */
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) {
      const length = this.varint();
      this.pos += length;
    } else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unexpected wire type ${wireType}`);
  }
}

function decodeEvent(r: Reader, end: number): LeanEvent {
  const e: LeanEvent = {
    sequence: 0,
    axonId: "",
    timestampMs: 0,
    origin: 0,
    source: "",
    eventType: "",
    payload: "",
  };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if ((tag & 7) === 2 && field !== 1 && field !== 3 && field !== 4) {
      const length = r.varint();
      const text = r.buf.toString("utf8", r.pos, r.pos + length);
      r.pos += length;
      if (field === 2) e.axonId = text;
      else if (field === 5) e.source = text;
      else if (field === 6) e.eventType = text;
      else if (field === 7) e.payload = text;
    } else if (field === 1) e.sequence = r.varint();
    else if (field === 3)
      e.timestampMs = r.varint(); // never negative in practice
    else if (field === 4) e.origin = r.varint();
    else r.skip(tag & 7);
  }
  return e;
}

/** One SubscribeResponse: oneof kind { EventBatch events = 1; CaughtUp = 2; Heartbeat = 3; FellBehind = 4 }. */
export function decodeSubscribeResponse(message: Buffer): LeanFrame {
  const r = new Reader(message, 0, message.length);
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) {
      const batchLength = r.varint();
      const batchEnd = r.pos + batchLength;
      const events: LeanEvent[] = [];
      while (r.pos < batchEnd) {
        const eventTag = r.varint();
        if (eventTag !== 0x0a) {
          r.skip(eventTag & 7);
          continue;
        }
        const eventLength = r.varint();
        const eventEnd = r.pos + eventLength;
        events.push(decodeEvent(r, eventEnd));
        r.pos = eventEnd;
      }
      return { kind: "events", events };
    }
    if (field === 2) return { kind: "caughtUp" };
    if (field === 3) return { kind: "heartbeat" };
    if (field === 4) return { kind: "fellBehind" };
    r.skip(tag & 7);
  }
  throw new Error("SubscribeResponse without a kind");
}
