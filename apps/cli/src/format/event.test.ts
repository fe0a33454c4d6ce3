import type { AxonEvent } from "@openaxon/client";
import picocolors from "picocolors";
import { describe, expect, it } from "vitest";
import { compactJson, formatEventJson, formatEventLine } from "./event.js";

const plain = picocolors.createColors(false);

function event(overrides: Partial<AxonEvent> = {}): AxonEvent {
  const base = {
    sequence: 7,
    axonId: "axn_1",
    timestampMs: new Date(2025, 0, 31, 12, 3, 4, 120).getTime(),
    origin: "user" as const,
    source: "cli",
    eventType: "user.message",
    payload: '{"text":"hi"}',
    ...overrides,
  };
  return { ...base, data: <T>() => JSON.parse(base.payload) as T };
}

describe("formatEventLine", () => {
  it("shows sequence, time, origin, type, source and payload", () => {
    const sameDay = new Date(2025, 0, 31, 18, 0).getTime();
    expect(formatEventLine(event(), plain, sameDay)).toBe(
      '#7  12:03:04.120  user      user.message  cli  {"text":"hi"}',
    );
  });

  it("adds the date for events from another day", () => {
    const nextDay = new Date(2025, 1, 1, 9, 0).getTime();
    expect(formatEventLine(event(), plain, nextDay)).toMatch(/^#7 {2}2025-01-31 12:03:04\.120 /);
  });

  it("colours only when asked to", () => {
    const colored = formatEventLine(event(), picocolors.createColors(true), 0);
    expect(colored).toContain("\x1b[");
    expect(formatEventLine(event(), plain, 0)).not.toContain("\x1b[");
  });
});

describe("formatEventJson", () => {
  it("is one line of stable fields with the payload embedded as JSON", () => {
    const line = formatEventJson(event({ payload: '{\n  "text": "multi\\nline"\n}' }));
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      sequence: 7,
      axonId: "axn_1",
      timestampMs: event().timestampMs,
      time: new Date(event().timestampMs).toISOString(),
      origin: "user",
      source: "cli",
      eventType: "user.message",
      payload: { text: "multi\nline" },
    });
  });
});

describe("compactJson", () => {
  it("keeps single-line JSON verbatim and folds pretty-printed JSON", () => {
    expect(compactJson('{"a": 1}')).toBe('{"a": 1}');
    expect(compactJson("[\n1,\r\n2]")).toBe("[1,2]");
  });
});
