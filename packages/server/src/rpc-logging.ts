import { performance } from "node:perf_hooks";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";

/** Codes that point at the server rather than the caller. */
const SERVER_SIDE = new Set([
  Code.Internal,
  Code.Unknown,
  Code.DataLoss,
  Code.Unavailable,
  Code.Unimplemented,
]);

/** The line rpcLoggingInterceptor writes, for paths that bypass Connect (the gRPC Publish fast path). */
export function logRpc(logger: Logger, rpc: string, code: Code | undefined, durationMs: number): void {
  const fields = {
    rpc,
    code: code === undefined ? "ok" : codeName(code),
    durationMs: Math.round(durationMs * 10) / 10,
  };
  if (code === undefined) logger.debug(fields, "rpc");
  else if (SERVER_SIDE.has(code)) logger.warn(fields, "rpc");
  else logger.info(fields, "rpc");
}

/**
 * One structured line per RPC: method, protocol-independent code, duration. Successes at debug,
 * caller errors at info, server-side failures at warn. Never logs headers (API keys) or messages
 * (payloads).
 */
export function rpcLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (request) => {
    const started = performance.now();
    const rpc = request.method.name;
    let reported = false;
    const report = (error?: unknown) => {
      if (reported) return;
      reported = true;
      logRpc(
        logger,
        rpc,
        error === undefined ? undefined : ConnectError.from(error).code,
        performance.now() - started,
      );
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
