import type { Runtime } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import {
  colorStatus,
  formatRuntimeDetails,
  formatRuntimeJson,
  formatRuntimeTable,
} from "../format/runtime.js";

export async function runtimeListCommand(context: CommandContext): Promise<void> {
  const runtimes = await context.client.runtimes.list();
  if (context.json) {
    for (const runtime of runtimes) await context.out.line(formatRuntimeJson(runtime));
    return;
  }
  if (runtimes.length === 0) {
    await context.note(
      "no runtimes yet — create one with `axon runtime create --axon ID --protocol stdio --agent cat`",
    );
    return;
  }
  for (const line of formatRuntimeTable(runtimes, context.colors)) await context.out.line(line);
}

export async function runtimeGetCommand(context: CommandContext, id: string): Promise<void> {
  const runtime = await context.client.runtimes.get(id);
  const lines = context.json ? [formatRuntimeJson(runtime)] : formatRuntimeDetails(runtime, context.colors);
  for (const line of lines) await context.out.line(line);
}

export type RuntimeTransition = "suspend" | "resume" | "shutdown";

/** suspend / resume / shutdown: prints the status the runtime ended in (and why). */
export async function runtimeTransitionCommand(
  context: CommandContext,
  transition: RuntimeTransition,
  id: string,
): Promise<void> {
  const runtime: Runtime = await context.client.runtimes[transition](id);
  if (context.json) {
    await context.out.line(formatRuntimeJson(runtime));
    return;
  }
  const c = context.colors;
  const reason = runtime.statusReason ? ` ${c.dim(`(${runtime.statusReason})`)}` : "";
  await context.out.line(`${c.bold(runtime.id)} ${colorStatus(runtime.status, c)}${reason}`);
}
