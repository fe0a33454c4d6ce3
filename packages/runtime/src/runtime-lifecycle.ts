import type { RuntimeRecord, RuntimeStatus, SettledStatus } from "./runtime-record.js";

/** What a user (or the API) can ask of a runtime. */
export type RuntimeCommand = "suspend" | "resume" | "shutdown";

/** Whether a command changes anything, changes nothing, or is refused in the current status. */
export type CommandPlan =
  | { readonly kind: "transition" }
  | { readonly kind: "noop" }
  | { readonly kind: "refuse"; readonly message: string };

/**
 * The lifecycle rules for commands, on a settled status (transitions are serialized per runtime, so
 * a command always meets a runtime at rest):
 *
 * | status    | suspend        | resume          | shutdown |
 * | --------- | -------------- | --------------- | -------- |
 * | running   | → suspended    | no-op           | → shutdown |
 * | suspended | no-op          | → running       | → shutdown |
 * | failed    | refused        | → running (retry) | → shutdown |
 * | shutdown  | refused        | refused         | no-op    |
 */
export function planCommand(runtime: RuntimeRecord, command: RuntimeCommand): CommandPlan {
  const status = settledStatus(runtime.status);
  switch (command) {
    case "suspend":
      if (status === "running") return { kind: "transition" };
      if (status === "suspended") return { kind: "noop" };
      if (status === "failed") {
        return refuse(
          `runtime ${runtime.id} has failed (${runtime.statusReason}); resume it to retry or shut it down`,
        );
      }
      return refuse(`runtime ${runtime.id} is shut down and cannot be suspended; create a new runtime`);
    case "resume":
      if (status === "running") return { kind: "noop" };
      if (status === "shutdown") {
        return refuse(`runtime ${runtime.id} is shut down and cannot be resumed; create a new runtime`);
      }
      return { kind: "transition" };
    case "shutdown":
      return status === "shutdown" ? { kind: "noop" } : { kind: "transition" };
  }
}

/**
 * Where a runtime stands once a transition that was cut short (the server died mid-way) is
 * finished: on boot, a runtime that was starting or running runs again, one that was suspending is
 * suspended.
 */
export function settledStatus(status: RuntimeStatus): SettledStatus {
  switch (status) {
    case "provisioning":
    case "resuming":
    case "running":
      return "running";
    case "suspending":
    case "suspended":
      return "suspended";
    case "shutdown":
    case "failed":
      return status;
  }
}

function refuse(message: string): CommandPlan {
  return { kind: "refuse", message };
}
