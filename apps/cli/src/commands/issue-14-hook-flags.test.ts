import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { describeHookEvent } from "../format/runtime.js";
import { parseHookCommand, parseHookDeadline } from "../parse.js";
import { runtimeInputFrom } from "./runtime-create.js";
import { changesHooks, lifecycleWithHooks, runtimeUpdateFrom } from "./runtime-update.js";

const base = {
  axon: "axn_1",
  protocol: "stdio" as const,
  agent: "cat",
  permission: "auto" as const,
  wake: true,
};

describe("--before-suspend / --after-resume / --hook-deadline", () => {
  it("splits a command line like a shell would, without expanding anything", () => {
    const parse = parseHookCommand("--before-suspend");
    expect(parse(`git commit -qam "wip before suspend"`)).toEqual([
      "git",
      "commit",
      "-qam",
      "wip before suspend",
    ]);
    expect(parse(`sh -c 'echo $HOME && ls *'`)).toEqual(["sh", "-c", "echo $HOME && ls *"]);
    expect(() => parse("  ")).toThrow(InvalidArgumentError);
    expect(() => parse(`echo "open`)).toThrow(/quote is left open/);
  });

  it("takes a deadline from 1ms to 10m", () => {
    const parse = parseHookDeadline("--hook-deadline");
    expect(parse("30s")).toBe(30_000);
    expect(parse("10m")).toBe(600_000);
    expect(() => parse("0")).toThrow(/from 1ms to 10m/);
    expect(() => parse("11m")).toThrow(/from 1ms to 10m/);
    expect(() => parse("soon")).toThrow(/from 1ms to 10m/);
  });

  it("puts the hooks on the lifecycle with the deadline (30s by default)", () => {
    const input = runtimeInputFrom([], {
      ...base,
      idleSuspend: 60,
      beforeSuspend: ["git", "commit", "-qam", "wip"],
      afterResume: ["make", "warm"],
    });
    expect(input.lifecycle).toEqual({
      idleSuspendSeconds: 60,
      resumeOnEvent: true,
      beforeSuspend: { command: ["git", "commit", "-qam", "wip"], deadlineMs: 30_000 },
      afterResume: { command: ["make", "warm"], deadlineMs: 30_000 },
    });
    const quick = runtimeInputFrom([], { ...base, afterResume: ["true"], hookDeadline: 500 });
    expect(quick.lifecycle).toMatchObject({ afterResume: { command: ["true"], deadlineMs: 500 } });
    expect(quick.lifecycle).not.toHaveProperty("beforeSuspend");
  });

  it("refuses --hook-deadline without a hook", () => {
    expect(() => runtimeInputFrom([], { ...base, hookDeadline: 500 })).toThrow(UsageError);
  });
});

describe("describeHookEvent (axon chat's note for runtime.hook)", () => {
  it("says how the hook ended", () => {
    const base = { hook: "after_resume", command: "git", duration_ms: 120, deadline_ms: 30_000 };
    expect(describeHookEvent({ ...base, exit_code: 0, signal: null, timed_out: false })).toEqual({
      line: "after resume hook git: exit 0 (120 ms)",
      ok: true,
    });
    expect(describeHookEvent({ ...base, exit_code: 1, signal: null, timed_out: false }).ok).toBe(false);
    expect(describeHookEvent({ ...base, exit_code: null, signal: "SIGTERM", timed_out: true }).line).toBe(
      "after resume hook git: killed at its 30s deadline (120 ms)",
    );
    expect(
      describeHookEvent({ ...base, exit_code: null, signal: "SIGKILL", timed_out: false }).line,
    ).toContain("killed by SIGKILL");
    expect(describeHookEvent({ ...base, exit_code: null, error: "not found" }).line).toContain(
      "could not start: not found",
    );
  });
});

describe("axon runtime update's hook flags", () => {
  const current = {
    idleTimeSeconds: 300,
    onIdle: "suspend" as const,
    resumeOnEvent: false,
    beforeSuspend: { command: ["git", "commit", "-qam", "wip"], deadlineMs: 45_000 },
  };

  it("sets a hook, keeping the idle settings and the other hook (the lifecycle is sent whole)", () => {
    expect(runtimeUpdateFrom([], { afterResume: ["make", "warm"], hookDeadline: 5000 }, current)).toEqual({
      lifecycle: {
        idleTimeSeconds: 300,
        onIdle: "suspend",
        resumeOnEvent: false,
        beforeSuspend: current.beforeSuspend,
        afterResume: { command: ["make", "warm"], deadlineMs: 5000 },
      },
    });
  });

  it("removes a hook with --clear-…, and refuses contradictions", () => {
    expect(lifecycleWithHooks(current, { clearBeforeSuspend: true })).toEqual({
      idleTimeSeconds: 300,
      onIdle: "suspend",
      resumeOnEvent: false,
    });
    expect(() => lifecycleWithHooks(current, { beforeSuspend: ["x"], clearBeforeSuspend: true })).toThrow(
      /--before-suspend or --clear-before-suspend/,
    );
    expect(() => lifecycleWithHooks(current, { hookDeadline: 1000 })).toThrow(UsageError);
    expect(changesHooks({ model: "m" })).toBe(false);
  });
});
