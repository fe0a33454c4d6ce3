import { describe, expect, it } from "vitest";
import { planCommand, type RuntimeCommand, settledStatus } from "./runtime-lifecycle.js";
import type { RuntimeRecord, RuntimeStatus } from "./runtime-record.js";

const runtime = (status: RuntimeStatus): RuntimeRecord => ({
  id: "rt_1",
  name: "",
  status,
  statusReason: status === "failed" ? "agent binary gone" : "",
  mounts: [],
  lifecycle: { idleTimeSeconds: 0, onIdle: "suspend", resumeOnAxonEvent: true },
  env: {},
  workingDirectory: "/w",
  createdAtMs: 0,
  updatedAtMs: 0,
});

const plan = (status: RuntimeStatus, command: RuntimeCommand) => planCommand(runtime(status), command).kind;

describe("planCommand", () => {
  it("follows the lifecycle table", () => {
    expect([plan("running", "suspend"), plan("running", "resume"), plan("running", "shutdown")]).toEqual([
      "transition",
      "noop",
      "transition",
    ]);
    expect([
      plan("suspended", "suspend"),
      plan("suspended", "resume"),
      plan("suspended", "shutdown"),
    ]).toEqual(["noop", "transition", "transition"]);
    expect([plan("failed", "suspend"), plan("failed", "resume"), plan("failed", "shutdown")]).toEqual([
      "refuse",
      "transition",
      "transition",
    ]);
    expect([plan("shutdown", "suspend"), plan("shutdown", "resume"), plan("shutdown", "shutdown")]).toEqual([
      "refuse",
      "refuse",
      "noop",
    ]);
  });

  it("explains refusals", () => {
    expect(planCommand(runtime("failed"), "suspend")).toEqual({
      kind: "refuse",
      message: "runtime rt_1 has failed (agent binary gone); resume it to retry or shut it down",
    });
  });
});

describe("settledStatus", () => {
  it("finishes interrupted transitions: starting ones run, suspending ones are suspended", () => {
    expect(["provisioning", "resuming", "running"].map((s) => settledStatus(s as RuntimeStatus))).toEqual([
      "running",
      "running",
      "running",
    ]);
    expect(settledStatus("suspending")).toBe("suspended");
    expect(settledStatus("failed")).toBe("failed");
  });
});
