import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePermissionResponse, parseTurnCancel, parseUserMessage, turnIdOf } from "./parse.js";

describe("parseUserMessage", () => {
  it("accepts text and content blocks", () => {
    expect(parseUserMessage('{"content":"hi"}')).toEqual({ ok: true, value: { content: "hi" } });
    const blocks = [{ type: "text", text: "a" }];
    expect(parseUserMessage(JSON.stringify({ content: blocks }))).toEqual({
      ok: true,
      value: { content: blocks },
    });
  });

  it("refuses the shapes users get wrong, saying what is expected", () => {
    for (const payload of ['{"text":"hi"}', "[]", "not json", '{"content":[1]}', '{"content":42}']) {
      const parsed = parseUserMessage(payload);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain("{content: string | ContentBlock[]}");
    }
  });

  it("never throws, whatever the payload", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (payload) => {
        expect(() => parseUserMessage(payload)).not.toThrow();
      }),
    );
  });
});

describe("parseTurnCancel and parsePermissionResponse", () => {
  it("read the vocabulary's shapes", () => {
    expect(parseTurnCancel("{}")).toEqual({ ok: true, value: {} });
    expect(parseTurnCancel('{"turn_id":"turn_3"}')).toEqual({ ok: true, value: { turn_id: "turn_3" } });
    expect(parseTurnCancel('{"turn_id":3}').ok).toBe(false);
    expect(parsePermissionResponse('{"request_id":"r","option_id":"o"}')).toEqual({
      ok: true,
      value: { request_id: "r", option_id: "o" },
    });
    expect(parsePermissionResponse('{"request_id":"r","outcome":"rejected"}')).toEqual({
      ok: true,
      value: { request_id: "r", outcome: "rejected" },
    });
    expect(parsePermissionResponse('{"option_id":"o"}').ok).toBe(false);
    expect(parsePermissionResponse('{"request_id":"r"}').ok).toBe(false);
  });
});

describe("turnIdOf", () => {
  it("reads turn_id from turn events only", () => {
    expect(turnIdOf({ eventType: "turn.message_chunk", payload: '{"turn_id":"turn_9"}' })).toBe("turn_9");
    expect(turnIdOf({ eventType: "user.message", payload: '{"turn_id":"turn_9"}' })).toBeUndefined();
    expect(turnIdOf({ eventType: "turn.completed", payload: "oops" })).toBeUndefined();
  });
});
