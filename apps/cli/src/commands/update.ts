import type { Retention, UpdateAxonInput } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatAxonDetails, formatAxonJson } from "../format/axon.js";

export interface UpdateOptions {
  readonly name?: string;
  readonly label?: Record<string, string>;
  readonly clearLabels?: boolean;
  readonly maxAge?: number;
  readonly maxEvents?: number;
  readonly maxBytes?: number;
  /** `--no-retention` (commander sets `retention: false`). */
  readonly retention?: boolean;
}

/** Changes only what a flag names, then shows the axon as it now is. */
export async function updateCommand(
  context: CommandContext,
  id: string,
  options: UpdateOptions,
): Promise<void> {
  const axon = await context.client.axons.update(id, updateInput(options));
  const lines = context.json ? [formatAxonJson(axon)] : formatAxonDetails(axon, context.colors);
  for (const line of lines) await context.out.line(line);
}

/** The SDK update for the flags given: labels replace all labels; each limit flag changes that limit. */
export function updateInput(options: UpdateOptions): UpdateAxonInput {
  if (options.label && options.clearLabels) {
    throw new UsageError(
      "--label and --clear-labels contradict each other: --label already replaces all labels",
    );
  }
  const limits: { maxAgeMs?: number; maxEvents?: number; maxBytes?: number } = {};
  if (options.maxAge !== undefined) limits.maxAgeMs = options.maxAge;
  if (options.maxEvents !== undefined) limits.maxEvents = options.maxEvents;
  if (options.maxBytes !== undefined) limits.maxBytes = options.maxBytes;
  const noRetention = options.retention === false;
  if (noRetention && Object.keys(limits).length > 0) {
    throw new UsageError("--no-retention removes every limit; leave out --max-age/--max-events/--max-bytes");
  }
  const retention: Retention | null | undefined = noRetention
    ? null
    : Object.keys(limits).length > 0
      ? limits
      : undefined;
  const input: UpdateAxonInput = {
    ...(options.name !== undefined && { name: options.name }),
    ...(options.label && { labels: options.label }),
    ...(options.clearLabels && { labels: {} }),
    ...(retention !== undefined && { retention }),
  };
  if (Object.keys(input).length === 0) {
    throw new UsageError(
      "nothing to update: pass --name, --label, --clear-labels, --max-age, --max-events, --max-bytes or --no-retention",
    );
  }
  return input;
}
