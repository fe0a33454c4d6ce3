import type { PublishOrigin } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { readAll } from "../io.js";
import { validatePayload } from "../parse.js";

export interface PublishOptions {
  readonly type: string;
  readonly source: string;
  readonly origin: PublishOrigin;
  readonly idempotencyKey?: string;
  readonly expectedHead?: number;
}

/** `payload` is JSON text, `-` for stdin, or absent for `{}`. */
export async function publishCommand(
  context: CommandContext,
  id: string,
  payloadArg: string | undefined,
  options: PublishOptions,
): Promise<void> {
  const text = payloadArg === "-" ? await readAll(context.io.stdin) : (payloadArg ?? "{}");
  const payload = validatePayload(text);
  const result = await context.client.axon(id).publish({
    eventType: options.type,
    payload,
    source: options.source,
    origin: options.origin,
    idempotencyKey: options.idempotencyKey,
    expectedHead: options.expectedHead,
  });
  if (context.json) {
    await context.out.line(JSON.stringify(result));
    return;
  }
  const c = context.colors;
  await context.out.line(
    result.duplicate
      ? `${c.yellow("duplicate")} of ${c.bold(`#${result.sequence}`)} — nothing written`
      : `published ${c.bold(`#${result.sequence}`)}`,
  );
}
