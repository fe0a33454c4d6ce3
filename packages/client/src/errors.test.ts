import { Code, ConnectError } from "@connectrpc/connect";
import { ExpectedHeadMismatchSchema } from "@openaxon/protocol";
import { describe, expect, it } from "vitest";
import { expectedHeadMismatch, isConnectionError, isRetryableError } from "./errors.js";

describe("isRetryableError", () => {
  it("retries transient codes only", () => {
    for (const code of [Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown]) {
      expect(isRetryableError(new ConnectError("x", code))).toBe(true);
    }
    for (const code of [
      Code.NotFound,
      Code.Unauthenticated,
      Code.PermissionDenied,
      Code.InvalidArgument,
      Code.FailedPrecondition,
    ]) {
      expect(isRetryableError(new ConnectError("x", code))).toBe(false);
    }
  });

  it("never retries errors that are not ConnectErrors (bugs)", () => {
    expect(isRetryableError(new RangeError("x"))).toBe(false);
  });
});

describe("isConnectionError", () => {
  it("recognises a refused connection wrapped by fetch and connect", () => {
    const system = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const fetchError = new TypeError("fetch failed", { cause: system });
    expect(
      isConnectionError(new ConnectError("fetch failed", Code.Unknown, undefined, undefined, fetchError)),
    ).toBe(true);
    expect(isConnectionError(new ConnectError("axon not found", Code.NotFound))).toBe(false);
  });
});

describe("expectedHeadMismatch", () => {
  it("reads the current head from the error detail", () => {
    const detail = { axonId: "axn_1", expectedHead: 3n, currentHead: 5n };
    const error = new ConnectError("expected head 3", Code.FailedPrecondition, undefined, [
      { desc: ExpectedHeadMismatchSchema, value: detail },
    ]);
    expect(expectedHeadMismatch(error)).toEqual({ axonId: "axn_1", expectedHead: 3, currentHead: 5 });
    expect(expectedHeadMismatch(new ConnectError("x", Code.NotFound))).toBeUndefined();
  });
});
