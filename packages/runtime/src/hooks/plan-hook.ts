import type { RuntimeHookPayload } from "@openaxon/protocol/vocabulary";
import type { HookSpec, LifecycleSpec } from "../runtime-record.js";

/** The lifecycle points a hook can run at, as the API and the `runtime.hook` event name them. */
export type HookName = "before_suspend" | "after_resume";

/** A hook may run at most this long (the deadline is required: a hook that hangs must not hold a suspend). */
export const MAX_HOOK_DEADLINE_MS = 10 * 60 * 1000;
/** Bytes of combined stdout and stderr the event keeps: the end, where failures show. */
export const HOOK_OUTPUT_TAIL_BYTES = 4096;
/** How long a hook has between SIGTERM at its deadline and SIGKILL. */
export const HOOK_KILL_GRACE_MS = 2000;

/**
 * Why a hook's configuration is unusable, naming the field as the API spells it
 * (`lifecycle.before_suspend.command`), or undefined when it is fine (or absent).
 */
export function hookSpecError(spec: HookSpec | undefined, field: string): string | undefined {
  if (spec === undefined) return undefined;
  if (spec.command.length === 0) {
    return `${field}.command is empty: give the hook's argv, executable first (no shell; use ["sh", "-c", "…"] for one)`;
  }
  if (spec.command[0]!.trim() === "") return `${field}.command[0] is empty: it is the executable to run`;
  const nul = spec.command.findIndex((arg) => arg.includes("\0"));
  if (nul >= 0) return `${field}.command[${nul}] contains a NUL character`;
  const { deadlineMs } = spec;
  if (!Number.isInteger(deadlineMs) || deadlineMs < 1 || deadlineMs > MAX_HOOK_DEADLINE_MS) {
    return `${field}.deadline_ms is ${deadlineMs}: a hook needs a deadline from 1 ms to ${MAX_HOOK_DEADLINE_MS} ms (10 minutes)`;
  }
  return undefined;
}

/** The problems of both hooks of a lifecycle, first one wins. */
export function lifecycleHooksError(lifecycle: LifecycleSpec): string | undefined {
  return (
    hookSpecError(lifecycle.beforeSuspend, "lifecycle.before_suspend") ??
    hookSpecError(lifecycle.afterResume, "lifecycle.after_resume")
  );
}

/**
 * The hook to run at a transition, if any. `before_suspend` runs on every suspend (by request or
 * idle); `after_resume` only when a suspended (or failed) runtime comes back, not on the first
 * start nor on a restart of the server: it is about waking, not booting.
 */
export function hookFor(
  lifecycle: LifecycleSpec,
  transition: "suspend" | "resume",
): { readonly name: HookName; readonly spec: HookSpec } | undefined {
  const spec = transition === "suspend" ? lifecycle.beforeSuspend : lifecycle.afterResume;
  if (spec === undefined) return undefined;
  return { name: transition === "suspend" ? "before_suspend" : "after_resume", spec };
}

/**
 * A lifecycle as `runtime.updated` shows it to the axon's readers: each hook's executable, how many
 * arguments it has and its deadline, never the arguments (a command line may carry a token, and
 * env values are hidden the same way). `hidden` says whether anything was left out.
 */
export function lifecycleForEvent(lifecycle: LifecycleSpec): { shown: object; hidden: boolean } {
  const { beforeSuspend, afterResume, ...rest } = lifecycle;
  const describe = (hook: HookSpec) => ({
    executable: hook.command[0],
    argumentCount: hook.command.length - 1,
    deadlineMs: hook.deadlineMs,
  });
  return {
    shown: {
      ...rest,
      ...(beforeSuspend && { beforeSuspend: describe(beforeSuspend) }),
      ...(afterResume && { afterResume: describe(afterResume) }),
    },
    hidden: [beforeSuspend, afterResume].some((hook) => hook !== undefined && hook.command.length > 1),
  };
}

/** How a hook run ended, as the runner observed it. */
export interface HookOutcome {
  /** The exit code, or null when a signal ended it or it never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Killed because it was still running at its deadline. */
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last bytes of stdout and stderr, interleaved as they arrived (UTF-8, lossy at the cut). */
  readonly outputTail: string;
  /** More output than the tail was produced. */
  readonly truncated: boolean;
  /** Why it could not be started (no such executable, sandbox failure); undefined when it ran. */
  readonly error?: string;
}

/** The `runtime.hook` payload for one run. */
export function hookEventPayload(
  runtimeId: string,
  name: HookName,
  spec: HookSpec,
  outcome: HookOutcome,
): RuntimeHookPayload {
  return {
    runtime_id: runtimeId,
    hook: name,
    command: spec.command[0]!,
    exit_code: outcome.exitCode,
    signal: outcome.signal,
    timed_out: outcome.timedOut,
    duration_ms: outcome.durationMs,
    deadline_ms: spec.deadlineMs,
    output_tail: outcome.outputTail,
    truncated: outcome.truncated,
    ...(outcome.error !== undefined && { error: outcome.error }),
  };
}

/**
 * Keeps the last `limit` bytes of a stream of chunks, and whether anything was dropped. Chunks are
 * kept whole until they must be trimmed, so memory stays near `limit` whatever the hook prints.
 */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  constructor(private readonly limit: number = HOOK_OUTPUT_TAIL_BYTES) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (chunk.length >= this.limit) {
      this.dropped ||= chunk.length > this.limit || this.size > 0;
      this.chunks = [chunk.subarray(chunk.length - this.limit)];
      this.size = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limit;
      this.dropped = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  get truncated(): boolean {
    return this.dropped;
  }

  /** The tail as text; a multi-byte character cut at the start becomes U+FFFD. */
  text(): string {
    return Buffer.concat(this.chunks, this.size).toString("utf8");
  }
}
