import { type AxonLogOperation, axonLogModel } from "./axon-log-model.js";
import { checkLinearizable, type TimedOperation } from "./check-linearizable.js";

/**
 * Throws unless the history of one axon is linearizable, with the operations around where the
 * search got stuck in the message (a person reads those first).
 */
export function assertAxonLogLinearizable(
  history: readonly (TimedOperation<AxonLogOperation> & { readonly client?: string })[],
  options: { readonly maxSteps?: number } = {},
): void {
  const result = checkLinearizable(axonLogModel, history, options);
  if (result.kind === "linearizable") return;
  if (result.kind === "unknown") {
    throw new Error(
      `linearizability check gave up after ${result.steps} steps on ${history.length} operations`,
    );
  }
  const show = (i: number) => {
    const h = history[i]!;
    return `  #${i} [${h.call}, ${h.ret ?? "∞"}]${h.client ? ` ${h.client}` : ""} ${JSON.stringify(h.op)}`;
  };
  throw new Error(
    [
      `not linearizable (${history.length} operations); longest linearizable prefix ends with:`,
      ...result.longestPrefix.slice(-5).map(show),
      "none of these fits next:",
      ...result.stuckAt.map(show),
    ].join("\n"),
  );
}
