import { Code, ConnectError } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { CliError } from "../errors.js";

/**
 * Before publishing, makes sure an agent will answer: a runtime of this server mounts the axon
 * and has not failed. Without that the chat would wait forever. Skipped (`--no-check`) when a
 * broker elsewhere answers on the axon, and silently when the server hosts no runtimes.
 */
export async function checkRuntimeFor(context: CommandContext, axonId: string): Promise<void> {
  let runtimes: Awaited<ReturnType<typeof context.client.runtimes.list>>;
  try {
    runtimes = await context.client.runtimes.list();
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.Unimplemented) return;
    throw error;
  }
  const live = runtimes.filter(
    (runtime) => runtime.status !== "shutdown" && runtime.mounts.some((mount) => mount.axonId === axonId),
  );
  const runtime = live.at(-1);
  if (!runtime) {
    throw new CliError(
      `no runtime hosts an agent on axon ${axonId} — start one with:\n  axon runtime create --axon ${axonId} --protocol stdio --agent cat\n  (or pass --no-check when a broker outside this server answers on the axon)`,
    );
  }
  if (runtime.status === "failed") {
    throw new CliError(
      `runtime ${runtime.id} on axon ${axonId} has failed: ${runtime.statusReason}\n  retry it with: axon runtime resume ${runtime.id}`,
    );
  }
  if (runtime.status === "suspended" && !runtime.lifecycle.resumeOnEvent) {
    await context.note(
      context.errColors.yellow(
        `runtime ${runtime.id} is suspended and wakes only by request — the message waits until: axon runtime resume ${runtime.id}`,
      ),
    );
  }
}
