import type { GenService } from "@bufbuild/protobuf/codegenv2";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import {
  AxonService,
  type SubscribeRequest,
  type SubscribeRequestSchema,
  SubscribeResponseWireSchema,
} from "@openaxon/protocol";
import { toEvent, toSafeNumber } from "./convert.js";
import { decodeEventBatch, decodeFirstUint64, decodeUint64Fields } from "./event-batch-decoder.js";
import type { AxonEvent } from "./types.js";

/** One Subscribe response, in the SDK's terms. */
export type SubscribeFrame =
  | { readonly kind: "events"; readonly events: readonly AxonEvent[] }
  | { readonly kind: "caughtUp"; readonly headSequence: number }
  | { readonly kind: "fellBehind"; readonly lastSequence: number; readonly headSequence: number }
  | { readonly kind: "heartbeat" };

export type SubscribeRequestInit = Pick<
  SubscribeRequest,
  "axonId" | "afterSequence" | "eventTypes" | "origins"
>;

/** Opens one Subscribe stream; aborting `signal` releases it. */
export type OpenSubscribeFrames = (
  request: SubscribeRequestInit,
  signal: AbortSignal,
) => AsyncIterable<SubscribeFrame>;

/** Frames decoded by protobuf-es: works with any transport and codec (JSON included). */
export function messageFrames(rpc: Client<typeof AxonService>): OpenSubscribeFrames {
  return async function* (request, signal) {
    for await (const response of rpc.subscribe(request, { signal })) {
      const kind = response.kind;
      if (kind.case === "events") yield { kind: "events", events: kind.value.events.map(toEvent) };
      else if (kind.case === "caughtUp")
        yield { kind: "caughtUp", headSequence: toSafeNumber(kind.value.headSequence, "head_sequence") };
      else if (kind.case === "fellBehind")
        yield {
          kind: "fellBehind",
          lastSequence: toSafeNumber(kind.value.lastSequence, "last_sequence"),
          headSequence: toSafeNumber(kind.value.headSequence, "head_sequence"),
        };
      else if (kind.case === "heartbeat") yield { kind: "heartbeat" };
    }
  };
}

/**
 * AxonService/Subscribe with a response type that reads the same bytes but leaves each variant
 * encoded, so events are decoded by `decodeEventBatch`. Binary codecs only: with JSON the two types
 * do not read the same text.
 */
const wireSubscribe = { ...AxonService.method.subscribe, output: SubscribeResponseWireSchema };
const WireAxonService = {
  ...AxonService,
  methods: [wireSubscribe],
  method: { subscribe: wireSubscribe },
} as unknown as GenService<{
  subscribe: {
    methodKind: "server_streaming";
    input: typeof SubscribeRequestSchema;
    output: typeof SubscribeResponseWireSchema;
  };
}>;

/** Frames whose events are decoded by hand: several times cheaper per event in a replay. */
export function wireFrames(transport: Transport): OpenSubscribeFrames {
  const rpc = createClient(WireAxonService, transport);
  return async function* (request, signal) {
    for await (const response of rpc.subscribe(request, { signal })) {
      const { case: kind, value } = response.kind;
      if (kind === undefined) continue;
      if (kind === "events") yield { kind: "events", events: decodeEventBatch(value) };
      else if (kind === "caughtUp")
        yield { kind: "caughtUp", headSequence: decodeFirstUint64(value, "head_sequence") };
      else if (kind === "fellBehind") {
        const [lastSequence = 0, headSequence = 0] = decodeUint64Fields(value, [
          "last_sequence",
          "head_sequence",
        ]);
        yield { kind: "fellBehind", lastSequence, headSequence };
      } else if (kind === "heartbeat") yield { kind: "heartbeat" };
    }
  };
}
