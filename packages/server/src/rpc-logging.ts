import { performance } from "node:perf_hooks";
import {
  Code,
  ConnectError,
  createContextKey,
  type Interceptor,
  type StreamRequest,
  type UnaryRequest,
} from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ServerMetrics } from "./metrics.js";

/** Codes that point at the server rather than the caller. */
const SERVER_SIDE = new Set([
  Code.Internal,
  Code.Unknown,
  Code.DataLoss,
  Code.Unavailable,
  Code.Unimplemented,
]);

/** The client's address, put into each call's context values by the server. */
export const peerKey = createContextKey<string | undefined>(undefined, { description: "peer address" });

/** How an RPC ended, for its log line; the details are only gathered when it failed. */
export interface RpcOutcome {
  readonly rpc: string;
  /** Undefined when the call succeeded. */
  readonly error?: ConnectError;
  readonly axonId?: string;
  readonly peer?: string;
}

/**
 * The line rpcLoggingInterceptor writes, also for paths that bypass Connect (the gRPC Publish fast
 * path). Successes and client cancels (a closed tab, Ctrl-C, an ended stream) at debug; other
 * caller errors at info, server-side failures at warn, both with the message, the axon (when the
 * request names one) and the peer address.
 */
export function logRpc(
  logger: Logger,
  outcome: RpcOutcome,
  durationMs: number,
  metrics?: ServerMetrics,
): void {
  const { rpc, error } = outcome;
  const code = error === undefined ? "ok" : codeName(error.code);
  metrics?.rpcs.inc({ method: rpc, code });
  const rounded = Math.round(durationMs * 10) / 10;
  if (error === undefined) {
    logger.debug({ rpc, code, durationMs: rounded }, "rpc");
    return;
  }
  const fields = {
    rpc,
    code,
    message: error.rawMessage,
    ...(outcome.axonId === undefined ? {} : { axonId: outcome.axonId }),
    ...(outcome.peer === undefined ? {} : { peer: outcome.peer }),
    durationMs: rounded,
  };
  if (error.code === Code.Canceled) logger.debug(fields, "rpc");
  else if (SERVER_SIDE.has(error.code)) logger.warn(fields, "rpc");
  else logger.info(fields, "rpc");
}

/** The axon a request names, if any: `axon_id`, or `id` on AxonService's GetAxon/DeleteAxon. */
function axonIdOf(request: UnaryRequest | StreamRequest): string | undefined {
  if (request.stream) return undefined;
  const message = request.message as { axonId?: unknown; id?: unknown };
  if (typeof message.axonId === "string" && message.axonId !== "") return message.axonId;
  if (typeof message.id === "string" && message.id.startsWith("axn_")) return message.id;
  return undefined;
}

/**
 * One structured line per RPC (see logRpc). Never logs headers (API keys) or payloads.
 */
export function rpcLoggingInterceptor(logger: Logger, metrics?: ServerMetrics): Interceptor {
  return (next) => async (request) => {
    const started = performance.now();
    const rpc = request.method.name;
    let reported = false;
    const report = (error?: unknown) => {
      if (reported) return;
      reported = true;
      const outcome: RpcOutcome =
        error === undefined
          ? { rpc }
          : {
              rpc,
              error: ConnectError.from(error),
              axonId: axonIdOf(request),
              peer: request.contextValues.get(peerKey),
            };
      logRpc(logger, outcome, performance.now() - started, metrics);
    };
    try {
      const response = await next(request);
      if (!response.stream) {
        report();
        return response;
      }
      return { ...response, message: reportWhenDone(response.message, report, request.signal) };
    } catch (error) {
      report(error);
      throw error;
    }
  };
}

async function* reportWhenDone<T>(
  messages: AsyncIterable<T>,
  report: (error?: unknown) => void,
  signal: AbortSignal,
): AsyncGenerator<T> {
  try {
    yield* messages;
    // A stream that ends because its client left is "canceled", not "ok".
    report(signal.aborted ? new ConnectError("client went away", Code.Canceled) : undefined);
  } catch (error) {
    report(error);
    throw error;
  } finally {
    // Stopped early without an error: the client went away.
    report(new ConnectError("client went away", Code.Canceled));
  }
}

function codeName(code: Code): string {
  // Code.NotFound -> "not_found", matching the Connect protocol's wire names.
  return Code[code].replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`));
}
