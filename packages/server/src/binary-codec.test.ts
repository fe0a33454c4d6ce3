import { describe, expect, it } from "vitest";
import { usesBinaryCodec } from "./binary-codec.js";

describe("usesBinaryCodec", () => {
  it.each([
    "application/grpc",
    "application/grpc+proto",
    "application/grpc-web",
    "application/grpc-web+proto",
    "application/grpc-web-text",
    "application/grpc-web-text+proto",
    "application/proto",
    "application/connect+proto",
    "Application/GRPC+Proto",
  ])("%s is binary: events may travel pre-encoded", (contentType) => {
    expect(usesBinaryCodec(contentType)).toBe(true);
  });

  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "application/connect+json",
    "application/grpc+json",
    "application/grpc-web+json",
    "application/grpc-web-text+json",
    "text/plain",
    "",
    null,
    undefined,
  ])("%s is not binary: clients get real messages", (contentType) => {
    expect(usesBinaryCodec(contentType)).toBe(false);
  });
});
