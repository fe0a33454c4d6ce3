import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRuntimeUpdated, parseSessionLoad } from "./parse.js";

describe("parseRuntimeUpdated", () => {
  const valid = {
    runtime_id: "rt_1",
    axon_id: "ax_1",
    changes: [
      { field: "mount.model", old: null, new: "m2" },
      { field: "env", old: ["A"], new: ["A", "B"], values_hidden: true },
    ],
    resume_session: false,
  };

  it("reads the payload the runtime writes", () => {
    expect(parseRuntimeUpdated(JSON.stringify(valid))).toEqual({ ok: true, value: valid });
  });

  it("names what is missing or malformed", () => {
    const cases: [object, string][] = [
      [{ ...valid, runtime_id: "" }, "runtime_id"],
      [{ ...valid, axon_id: 3 }, "axon_id"],
      [{ ...valid, resume_session: "no" }, "resume_session"],
      [{ ...valid, changes: [{ field: "env" }] }, "changes"],
      [{ ...valid, changes: "env" }, "changes"],
    ];
    for (const [payload, field] of cases) {
      const parsed = parseRuntimeUpdated(JSON.stringify(payload));
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain(field);
    }
    expect(parseRuntimeUpdated("[]").ok).toBe(false);
  });

  it("never throws, whatever the payload", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (payload) => {
        expect(() => parseRuntimeUpdated(payload)).not.toThrow();
      }),
    );
  });
});

describe("parseSessionLoad", () => {
  it("reads session_id and says what is missing", () => {
    expect(parseSessionLoad('{"session_id":"s1"}')).toEqual({ ok: true, value: { session_id: "s1" } });
    for (const payload of ["{}", '{"session_id":""}', '{"session_id":3}', "nope"]) {
      const parsed = parseSessionLoad(payload);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain("session_id");
    }
  });
});
