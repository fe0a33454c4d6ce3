import { describe, expect, it } from "vitest";
import { Origin as ProtoOrigin } from "../gen/openaxon/v1/axon_pb.js";
import { isInputOrigin, Origin, originName } from "./origin.js";

describe("Origin", () => {
  it("has the numbers of the generated openaxon.v1.Origin enum", () => {
    expect(Origin).toEqual({
      Unspecified: ProtoOrigin.UNSPECIFIED,
      External: ProtoOrigin.EXTERNAL_EVENT,
      Agent: ProtoOrigin.AGENT_EVENT,
      User: ProtoOrigin.USER_EVENT,
      System: ProtoOrigin.SYSTEM_EVENT,
    });
  });

  it("names origins as the proto enum does", () => {
    for (const [name, value] of Object.entries(ProtoOrigin)) {
      if (typeof value === "number") expect(originName(value)).toBe(`ORIGIN_${name}`);
    }
    expect(originName(42)).toBe("ORIGIN_42");
  });

  it("lets only USER and EXTERNAL events steer a broker", () => {
    expect([0, 1, 2, 3, 4].filter(isInputOrigin)).toEqual([Origin.External, Origin.User]);
  });
});
