import { Code } from "@connectrpc/connect";
import { expect, test } from "vitest";
import { decodePageToken, encodePageToken } from "./page-token.js";

test("page tokens round-trip the last id and are URL-safe", () => {
  const id = "axn_01jq3v7k2m9x8p4r6t0w5y1z3c";
  const token = encodePageToken(id);
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(decodePageToken(token)).toBe(id);
  expect(decodePageToken("")).toBeUndefined();
});

test("a token this server did not issue is INVALID_ARGUMENT", () => {
  for (const bad of ["garbage!", encodePageToken("not-an-id"), "%%%"]) {
    expect(() => decodePageToken(bad)).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
  }
});
