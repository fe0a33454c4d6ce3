import { describe, expect, it } from "vitest";
import { decideStoreOpen } from "./decide-store-open.js";

describe("decideStoreOpen", () => {
  it("creates a database only in a missing or empty directory", () => {
    expect(decideStoreOpen("/d", undefined)).toEqual({ kind: "create" });
    expect(decideStoreOpen("/d", [])).toEqual({ kind: "create" });
    expect(decideStoreOpen("/d", ["LOCK", "LOG"])).toEqual({ kind: "create" });
  });

  it("opens a database that has its CURRENT file", () => {
    expect(decideStoreOpen("/d", ["CURRENT", "LOCK", "MANIFEST-000002", "000003.log"])).toEqual({
      kind: "open",
    });
  });

  it.each([
    [["000005.ldb", "LOCK", "LOG"]],
    [["000003.log"]],
    [["MANIFEST-000002"]],
    [["000007.sst", "MANIFEST-000004"]],
  ])("refuses %j: tables or logs without CURRENT would be wiped by a re-create", (entries) => {
    const decision = decideStoreOpen("/d", entries);
    expect(decision.kind).toBe("refuse");
    expect(decision.kind === "refuse" && decision.reason).toMatch(/CURRENT file is missing.*backup/);
  });

  it("refuses a directory of unrelated files", () => {
    const decision = decideStoreOpen("/d", ["notes.txt"]);
    expect(decision.kind === "refuse" && decision.reason).toMatch(/not empty but holds no database/);
  });
});
