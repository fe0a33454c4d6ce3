import { Code, ConnectError } from "@openaxon/client";
import { describe, expect, it } from "vitest";
import { describeError, ExitCode } from "./errors.js";

const context = { url: "http://127.0.0.1:7433", apiKeyGiven: false, axonId: "axn_x" };

describe("describeError", () => {
  it("explains a refused connection", () => {
    const cause = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const described = describeError(
      new ConnectError("fetch failed", Code.Unknown, undefined, undefined, cause),
      context,
    );
    expect(described.message).toMatch(/^cannot reach axond at http:\/\/127\.0\.0\.1:7433 — is it running\?/);
    expect(described.exitCode).toBe(ExitCode.Failure);
  });

  it("names the missing axon and how to list axons", () => {
    expect(describeError(new ConnectError("nope", Code.NotFound), context).message).toBe(
      "axon axn_x not found (list axons with `axon list`)",
    );
  });

  it("points at --api-key and OPENAXON_API_KEY", () => {
    const error = new ConnectError("missing key", Code.Unauthenticated);
    expect(describeError(error, context).message).toMatch(/pass --api-key or set OPENAXON_API_KEY/);
    expect(describeError(error, { ...context, apiKeyGiven: true }).message).toMatch(/rejected the API key/);
  });

  it("treats rejected input as a usage error", () => {
    const described = describeError(new ConnectError("event_type is empty", Code.InvalidArgument), context);
    expect(described).toMatchObject({
      message: "rejected by axond: event_type is empty",
      exitCode: ExitCode.Usage,
    });
  });
});
