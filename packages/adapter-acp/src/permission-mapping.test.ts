import type { PermissionOption } from "@agentclientprotocol/sdk";
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

  it("never answers a denial with 'cancelled' nor with an allow option", () => {
    const option = fc.record({
      optionId: fc.string({ minLength: 1 }),
      name: fc.string(),
      kind: fc.constantFrom("allow_once", "allow_always", "reject_once", "reject_always") as fc.Arbitrary<
        PermissionOption["kind"]
      >,
    });
    fc.assert(
      fc.property(fc.array(option, { maxLength: 6 }), (options) => {
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
});
