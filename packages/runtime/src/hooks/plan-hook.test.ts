import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LifecycleSpec } from "../runtime-record.js";
import {
  hookEventPayload,
  hookFor,
  hookSpecError,
  lifecycleForEvent,
  MAX_HOOK_DEADLINE_MS,
  OutputTail,
} from "./plan-hook.js";

const lifecycle = (extra: Partial<LifecycleSpec> = {}): LifecycleSpec => ({
  idleTimeSeconds: 0,
  onIdle: "suspend",
  resumeOnAxonEvent: true,
  ...extra,
});

describe("hookSpecError", () => {
  const field = "lifecycle.before_suspend";
  it("accepts an absent hook and a hook with argv and a deadline in range", () => {
    expect(hookSpecError(undefined, field)).toBeUndefined();
    expect(hookSpecError({ command: ["true"], deadlineMs: 1 }, field)).toBeUndefined();
    expect(
      hookSpecError({ command: ["git", "commit"], deadlineMs: MAX_HOOK_DEADLINE_MS }, field),
    ).toBeUndefined();
  });

  it("names the field for an empty argv, an empty executable, a NUL, and a deadline of 0 or over 10 minutes", () => {
    expect(hookSpecError({ command: [], deadlineMs: 1000 }, field)).toMatch(
      /^lifecycle\.before_suspend\.command is empty/,
    );
    expect(hookSpecError({ command: [" "], deadlineMs: 1000 }, field)).toMatch(/command\[0\] is empty/);
    expect(hookSpecError({ command: ["sh", "a\0b"], deadlineMs: 1000 }, field)).toMatch(
      /command\[1\] contains a NUL/,
    );
    expect(hookSpecError({ command: ["true"], deadlineMs: 0 }, field)).toMatch(
      /^lifecycle\.before_suspend\.deadline_ms is 0: .*from 1 ms to 600000 ms/,
    );
    expect(hookSpecError({ command: ["true"], deadlineMs: MAX_HOOK_DEADLINE_MS + 1 }, field)).toMatch(
      /deadline_ms is 600001/,
    );
    expect(hookSpecError({ command: ["true"], deadlineMs: 1.5 }, field)).toMatch(/deadline_ms/);
  });
});

describe("hookFor", () => {
  const spec = { command: ["true"], deadlineMs: 1000 };
  it("picks before_suspend for a suspend and after_resume for a resume, nothing when unset", () => {
    expect(hookFor(lifecycle({ beforeSuspend: spec }), "suspend")).toEqual({ name: "before_suspend", spec });
    expect(hookFor(lifecycle({ beforeSuspend: spec }), "resume")).toBeUndefined();
    expect(hookFor(lifecycle({ afterResume: spec }), "resume")).toEqual({ name: "after_resume", spec });
    expect(hookFor(lifecycle(), "suspend")).toBeUndefined();
  });
});

describe("hookEventPayload", () => {
  it("carries argv[0] only, never the arguments", () => {
    const payload = hookEventPayload(
      "rt_1",
      "before_suspend",
      { command: ["curl", "-H", "Authorization: secret"], deadlineMs: 5000 },
      { exitCode: 7, signal: null, timedOut: false, durationMs: 12, outputTail: "boom", truncated: false },
    );
    expect(payload).toEqual({
      runtime_id: "rt_1",
      hook: "before_suspend",
      command: "curl",
      exit_code: 7,
      signal: null,
      timed_out: false,
      duration_ms: 12,
      deadline_ms: 5000,
      output_tail: "boom",
      truncated: false,
    });
    expect(JSON.stringify(payload)).not.toContain("secret");
  });
});

describe("OutputTail", () => {
  it("keeps exactly the last `limit` bytes of any sequence of chunks, and says whether it dropped any", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }),
        (limit, chunks) => {
          const tail = new OutputTail(limit);
          for (const chunk of chunks) tail.push(Buffer.from(chunk));
          const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
          const expected = all.subarray(Math.max(0, all.length - limit));
          expect(tail.text()).toBe(expected.toString("utf8"));
          expect(tail.truncated).toBe(all.length > limit);
        },
      ),
    );
  });
});

describe("lifecycleForEvent", () => {
  it("shows each hook's executable, argument count and deadline, never the arguments", () => {
    const { shown, hidden } = lifecycleForEvent(
      lifecycle({
        beforeSuspend: { command: ["curl", "-H", "Authorization: Bearer t0ken"], deadlineMs: 5000 },
      }),
    );
    expect(shown).toEqual({
      idleTimeSeconds: 0,
      onIdle: "suspend",
      resumeOnAxonEvent: true,
      beforeSuspend: { executable: "curl", argumentCount: 2, deadlineMs: 5000 },
    });
    expect(hidden).toBe(true);
    expect(JSON.stringify(shown)).not.toContain("t0ken");
    expect(lifecycleForEvent(lifecycle({ afterResume: { command: ["true"], deadlineMs: 1 } })).hidden).toBe(
      false,
    );
  });
});
