import { describe, expect, it } from "vitest";
import { decideGrpcFastPath, GRPC_FAST_METHODS } from "./grpc-fast-path-decision.js";

const all = new Set(GRPC_FAST_METHODS);
const plain = {
  ":method": "POST",
  ":path": "/openaxon.v1.AxonService/PublishBatch",
  ":authority": "127.0.0.1:7433",
  "content-type": "application/grpc",
  te: "trailers",
};

describe("decideGrpcFastPath", () => {
  it("takes plain gRPC calls to the three methods", () => {
    for (const method of GRPC_FAST_METHODS) {
      expect(decideGrpcFastPath({ ...plain, ":path": `/openaxon.v1.AxonService/${method}` }, all)).toBe(
        method,
      );
    }
    expect(decideGrpcFastPath({ ...plain, "content-type": "application/grpc+proto" }, all)).toBe(
      "PublishBatch",
    );
    expect(decideGrpcFastPath({ ...plain, "grpc-encoding": "identity" }, all)).toBe("PublishBatch");
  });

  it.each<[string, Record<string, string>]>([
    ["a deadline", { "grpc-timeout": "5S" }],
    ["a compressed body", { "grpc-encoding": "gzip" }],
    ["a browser's Origin", { origin: "https://console.example" }],
    ["Expect: 100-continue", { expect: "100-continue" }],
    ["gRPC-Web", { "content-type": "application/grpc-web+proto" }],
    ["JSON", { "content-type": "application/grpc+json" }],
    ["Connect", { "content-type": "application/proto" }],
    ["another method", { ":path": "/openaxon.v1.AxonService/GetAxon" }],
    ["a query string", { ":path": "/openaxon.v1.AxonService/Publish?x=1" }],
    ["GET", { ":method": "GET" }],
  ])("leaves %s to the full path", (_, headers) => {
    expect(decideGrpcFastPath({ ...plain, ...headers }, all)).toBeUndefined();
  });

  it("takes only the methods enabled", () => {
    expect(decideGrpcFastPath(plain, new Set(["Publish"] as const))).toBeUndefined();
    expect(decideGrpcFastPath(plain, new Set())).toBeUndefined();
  });
});
