import { type PermissionOption, RequestError } from "@agentclientprotocol/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NoRejectOptionError, outcomeOf, permissionRequestOf } from "./permission-mapping.js";

const allowOnce: PermissionOption = { optionId: "allow", name: "Allow", kind: "allow_once" };
const rejectAlways: PermissionOption = { optionId: "never", name: "Never", kind: "reject_always" };
const rejectOnce: PermissionOption = { optionId: "reject", name: "Reject", kind: "reject_once" };

describe("permissionRequestOf", () => {
  it("fills the tool call's missing title, kind and status", () => {
    const request = permissionRequestOf({
      sessionId: "s",
      toolCall: { toolCallId: "c1", rawInput: { path: "a" } },
      options: [allowOnce],
    });
    expect(request).toEqual({
      toolCall: { toolCallId: "c1", title: "", kind: "other", status: "pending", input: { path: "a" } },
      options: [{ optionId: "allow", name: "Allow", kind: "allow_once" }],
    });
  });
});

describe("outcomeOf", () => {
  it("passes a selected option through and refuses one the agent did not offer", () => {
    expect(outcomeOf({ outcome: "selected", optionId: "allow" }, [allowOnce, rejectOnce])).toEqual({
      outcome: "selected",
      optionId: "allow",
    });
    expect(() => outcomeOf({ outcome: "selected", optionId: "other" }, [allowOnce])).toThrow(/Unknown/);
  });

  it("turns a denial into the agent's reject option, preferring reject_once", () => {
    expect(outcomeOf({ outcome: "rejected" }, [allowOnce, rejectAlways, rejectOnce])).toEqual({
      outcome: "selected",
      optionId: "reject",
    });
    expect(outcomeOf({ outcome: "rejected" }, [allowOnce, rejectAlways])).toEqual({
      outcome: "selected",
      optionId: "never",
    });
    expect(() => outcomeOf({ outcome: "rejected" }, [allowOnce])).toThrow(NoRejectOptionError);
  });

  const option = fc.record({
    optionId: fc.string({ minLength: 1 }),
    name: fc.string(),
    kind: fc.constantFrom("allow_once", "allow_always", "reject_once", "reject_always") as fc.Arbitrary<
      PermissionOption["kind"]
    >,
  });
  // An agent's options have distinct ids (duplicates are refused, below).
  const distinctOptions = fc.uniqueArray(option, { maxLength: 6, selector: (o) => o.optionId });

  it("never answers a denial with 'cancelled' nor with an allow option", () => {
    fc.assert(
      fc.property(distinctOptions, (options) => {
        try {
          const outcome = outcomeOf({ outcome: "rejected" }, options);
          expect(outcome.outcome).toBe("selected");
          const chosen = options.find(
            (o) => outcome.outcome === "selected" && o.optionId === outcome.optionId,
          );
          expect(chosen?.kind).toMatch(/^reject_/);
        } catch (error) {
          expect(error).toBeInstanceOf(NoRejectOptionError);
          expect(options.some((o) => o.kind.startsWith("reject_"))).toBe(false);
        }
      }),
    );
  });

  // Issue 8 item 13: a random run once generated two options sharing an id, one allow and one
  // reject; "selected <id>" was then ambiguous. Such a request is refused, whatever the decision.
  it("refuses options that share an optionId, before and after the decision", () => {
    const duplicated = fc.tuple(distinctOptions, option, option, fc.nat()).map(([rest, a, b, at]) => {
      const pair = [a, { ...b, optionId: a.optionId }];
      const others = rest.filter((o) => o.optionId !== a.optionId);
      const i = at % (others.length + 1);
      return [...others.slice(0, i), ...pair, ...others.slice(i)];
    });
    const decision = fc.oneof(
      fc.constant({ outcome: "rejected" as const }),
      fc.string().map((optionId) => ({ outcome: "selected" as const, optionId })),
    );
    fc.assert(
      fc.property(duplicated, decision, (options, chosen) => {
        expect(() => permissionRequestOf({ sessionId: "s", toolCall: { toolCallId: "c" }, options })).toThrow(
          RequestError,
        );
        expect(() => outcomeOf(chosen, options)).toThrow(/more than once/);
      }),
    );
  });
});
