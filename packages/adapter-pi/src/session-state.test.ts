import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { restorableSessionId, sessionOf } from "./session-state.js";

describe("sessionOf", () => {
  it("takes the session id and file from get_state, and refuses an answer without a session", () => {
    expect(sessionOf({ sessionId: "019a-1", sessionFile: "/h/s.jsonl", isStreaming: false })).toEqual({
      sessionId: "019a-1",
      sessionFile: "/h/s.jsonl",
    });
    expect(() => sessionOf({ sessionId: "" })).toThrow(/named no session/);
    expect(() => sessionOf(null)).toThrow(/named no session/);
  });
});

describe("restorableSessionId", () => {
  it("passes Pi's UUIDs through", () => {
    fc.assert(fc.property(fc.uuid(), (id) => restorableSessionId(id) === id));
  });

  it("never passes on what Pi's --session would read as a file path", () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        const passed = restorableSessionId(id);
        return (
          passed === undefined ||
          !(passed.includes("/") || passed.includes("\\") || passed.endsWith(".jsonl"))
        );
      }),
    );
    expect(restorableSessionId("../x")).toBeUndefined();
    expect(restorableSessionId("s.jsonl")).toBeUndefined();
  });
});
