import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  newRequestContext,
  outsideAnyRequest,
  requestIdFrom,
  requestLogFields,
  runInRequest,
} from "./request-context.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  test("keeps a sane caller id", () => {
    expect(requestIdFrom("req-42")).toBe("req-42");
    expect(requestIdFrom("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toMatch(/^00-4bf9/);
  });

  test("replaces a missing, repeated, empty, overlong or odd one with a fresh UUID", () => {
    for (const header of [undefined, "", "x".repeat(129), 'a" b', "a\nb", "ünïcode", ["a", "b"]]) {
      expect(requestIdFrom(header)).toMatch(UUID);
    }
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });

  test("an id it returns is always a sane id (never the raw header unless sane)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        const id = requestIdFrom(header);
        expect(id).toMatch(/^[\w.:/+=@-]{1,128}$/);
        if (id !== header) expect(id).toMatch(UUID);
      }),
    );
  });
});

describe("requestLogFields", () => {
  test("names the call being served, across awaits, and nothing once it ended or outside it", async () => {
    expect(requestLogFields()).toEqual({});
    const context = newRequestContext("call-1");
    const seen: unknown[] = [];
    let later!: Promise<void>;
    await runInRequest(context, async () => {
      seen.push(requestLogFields());
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(requestLogFields());
      seen.push(outsideAnyRequest(() => requestLogFields()));
      // Work the call starts that outlives it (say a broker) keeps the async context.
      later = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(requestLogFields());
      })();
    });
    context.ended = true;
    await later;
    expect(seen).toEqual([{ requestId: "call-1" }, { requestId: "call-1" }, {}, {}]);
  });
});
