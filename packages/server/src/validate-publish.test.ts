import { Code, ConnectError } from "@connectrpc/connect";
import { Origin, PayloadTooLargeSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  validatePublishBatchRequest,
  validatePublishRequest,
} from "./validate-publish.js";

const AXON = "axn_01jq3v7k2m9x8p4r6t0w5y1z3c";
const good = {
  axonId: AXON,
  origin: Origin.USER_EVENT,
  source: "cli",
  eventType: "user.message",
  payload: '{"a":1}',
};

function rejection(fn: () => unknown): ConnectError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    return error as ConnectError;
  }
  throw new Error("expected a rejection");
}

const publish = (
  fields: Partial<typeof good> & { idempotencyKey?: string; expectedHead?: bigint },
  limit?: number,
) =>
  validatePublishRequest(
    { idempotencyKey: "", expectedHead: undefined, ...good, ...fields },
    limit ?? DEFAULT_MAX_PAYLOAD_BYTES,
  );

describe("validatePublishRequest", () => {
  test("passes a good request through as a store append", () => {
    expect(publish({ idempotencyKey: "k1", expectedHead: 7n })).toEqual({
      axonId: AXON,
      events: [{ origin: Origin.USER_EVENT, source: "cli", eventType: "user.message", payload: '{"a":1}' }],
      options: { idempotencyKey: "k1", expectedHead: 7 },
    });
    expect(publish({}).options).toEqual({});
    expect(publish({ expectedHead: 0n }).options).toEqual({ expectedHead: 0 });
  });

  test.each([
    ["missing axon id", { axonId: "" }, Code.InvalidArgument, "axon_id is required"],
    ["malformed axon id", { axonId: "nope" }, Code.InvalidArgument, "is not an axon id"],
    ["SYSTEM origin", { origin: Origin.SYSTEM_EVENT }, Code.PermissionDenied, "reserved for the server"],
    ["unspecified origin", { origin: Origin.UNSPECIFIED }, Code.InvalidArgument, "origin is required"],
    ["unknown origin", { origin: 42 as Origin }, Code.InvalidArgument, "origin 42 is not a known origin"],
    ["empty source", { source: "" }, Code.InvalidArgument, "source is required"],
    [
      "long source",
      { source: "s".repeat(257) },
      Code.InvalidArgument,
      "source is 257 characters; the limit is 256",
    ],
    ["control chars in source", { source: "a\nb" }, Code.InvalidArgument, "control characters"],
    ["empty event type", { eventType: "" }, Code.InvalidArgument, "event_type is required"],
    ["long event type", { eventType: "t".repeat(257) }, Code.InvalidArgument, "the limit is 256"],
    ["event type charset", { eventType: "user message" }, Code.InvalidArgument, "may only contain"],
    ["empty payload", { payload: "" }, Code.InvalidArgument, "payload is empty"],
    [
      "invalid JSON",
      { payload: '{"a":}' },
      Code.InvalidArgument,
      'payload is not valid JSON: expected a JSON value but found "}" at line 1, column 6',
    ],
    [
      "long idempotency key",
      { idempotencyKey: "k".repeat(257) },
      Code.InvalidArgument,
      "idempotency_key is 257 characters",
    ],
    ["expected_head beyond 2^53", { expectedHead: 2n ** 60n }, Code.InvalidArgument, "expected_head"],
  ] as const)("%s", (_name, fields, code, message) => {
    const error = rejection(() => publish(fields as Parameters<typeof publish>[0]));
    expect(error.code).toBe(code);
    expect(error.rawMessage).toContain(message);
  });

  test("accepts limits exactly at the boundary", () => {
    expect(() =>
      publish({ source: "s".repeat(256), eventType: "t".repeat(256), idempotencyKey: "k".repeat(256) }),
    ).not.toThrow();
    expect(() => publish({ eventType: "Ab9._:/-" })).not.toThrow();
    expect(() => publish({ payload: JSON.stringify("x".repeat(8)) }, 10)).not.toThrow();
  });

  test("an oversized payload is RESOURCE_EXHAUSTED naming the limit, with a PayloadTooLarge detail", () => {
    const payload = JSON.stringify("é".repeat(10)); // 22 bytes of UTF-8, 12 characters
    const error = rejection(() => publish({ payload }, 16));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toContain("payload is 22 bytes; the limit is 16 bytes");
    expect(error.findDetails(PayloadTooLargeSchema)).toMatchObject([{ sizeBytes: 22n, limitBytes: 16n }]);
    expect(rejection(() => publish({ payload: "x".repeat(5 * 1024 * 1024) })).rawMessage).toContain(
      "the limit is 4194304 bytes (4 MiB)",
    );
  });
});

describe("the payload size limit", () => {
  test("counts UTF-8 bytes: a payload passes exactly when its encoding fits the limit", () => {
    const text = fc.string({
      unit: fc.constantFrom("a", "é", "€", "😀", "\n", "\ud800"),
      maxLength: 30,
    });
    // Three-byte characters are the worst case (3 bytes per UTF-16 unit): always try them alone too.
    const worstCase = fc.nat(30).map((n) => "€".repeat(n));
    fc.assert(
      fc.property(fc.oneof(text, worstCase), (content) => {
        const payload = JSON.stringify(content);
        const bytes = Buffer.byteLength(payload, "utf8");
        expect(() => publish({ payload }, bytes)).not.toThrow();
        const error = rejection(() => publish({ payload }, bytes - 1));
        expect(error.code).toBe(Code.ResourceExhausted);
        expect(error.rawMessage).toContain(`payload is ${bytes} bytes; the limit is ${bytes - 1} bytes`);
      }),
    );
  });
});

describe("validatePublishBatchRequest", () => {
  const event = { origin: Origin.AGENT_EVENT, source: "agent", eventType: "turn.plan", payload: "[]" };
  const batch = (events: (typeof event)[], extra: { idempotencyKey?: string } = {}) =>
    validatePublishBatchRequest(
      { axonId: AXON, events, idempotencyKey: "", expectedHead: undefined, ...extra },
      DEFAULT_MAX_PAYLOAD_BYTES,
    );

  test("passes events through in order", () => {
    const events = [event, { ...event, payload: "1" }];
    expect(batch(events, { idempotencyKey: "b" })).toMatchObject({
      events: [{ payload: "[]" }, { payload: "1" }],
      options: { idempotencyKey: "b" },
    });
  });

  test("rejects an empty batch and a batch over 1000 events", () => {
    expect(rejection(() => batch([])).rawMessage).toContain("events is empty");
    expect(batch(Array(1000).fill(event)).events).toHaveLength(1000);
    const tooMany = rejection(() => batch(Array(1001).fill(event)));
    expect(tooMany.code).toBe(Code.InvalidArgument);
    expect(tooMany.rawMessage).toContain("1001 entries; a batch holds at most 1000");
  });

  test("names the index of the bad event", () => {
    const events = [event, event, event, { ...event, payload: "{" }];
    expect(rejection(() => batch(events)).rawMessage).toMatch(/^events\[3\]\.payload is not valid JSON/);
    const system = rejection(() => batch([event, { ...event, origin: Origin.SYSTEM_EVENT }]));
    expect(system.code).toBe(Code.PermissionDenied);
    expect(system.rawMessage).toMatch(/^events\[1\]\.origin/);
  });
});
