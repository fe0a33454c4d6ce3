import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { RuntimeService } from "@openaxon/protocol";
import {
  InvalidRuntimeError,
  type RuntimeManager,
  RuntimeManagerClosedError,
  RuntimeNotFoundError,
  RuntimePreconditionError,
  RuntimeStateError,
} from "@openaxon/runtime";
import { type Logger, pino } from "pino";
import { invalidArgument } from "./errors.js";
import { toGatewayConnectError } from "./gateway-errors.js";
import { runtimeToProto } from "./runtime-to-proto.js";
import { requireRuntimeId, validateCreateRuntime, validateUpdateRuntime } from "./validate-runtime.js";

export interface RuntimeServiceOptions {
  runtimes: RuntimeManager;
  /** Default: silent. */
  logger?: Logger;
}

/** The RuntimeService implementation over a RuntimeManager, for a ConnectRouter or `createRouterTransport`. */
export function createRuntimeService(options: RuntimeServiceOptions): ServiceImpl<typeof RuntimeService> {
  const { runtimes } = options;
  const logger = options.logger ?? pino({ level: "silent" });

  const guarded = async <T>(rpc: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw runtimeErrorToConnect(error, logger, rpc);
    }
  };

  return {
    createRuntime: (request) =>
      guarded("CreateRuntime", async () => {
        const runtime = await runtimes.createRuntime(validateCreateRuntime(request));
        return { runtime: runtimeToProto(runtime) };
      }),
    getRuntime: (request) =>
      guarded("GetRuntime", async () => ({
        runtime: runtimeToProto(runtimes.getRuntime(requireRuntimeId(request.id))),
      })),
    listRuntimes: () =>
      guarded("ListRuntimes", async () => ({ runtimes: runtimes.listRuntimes().map(runtimeToProto) })),
    suspendRuntime: (request) =>
      guarded("SuspendRuntime", async () => ({
        runtime: runtimeToProto(await runtimes.suspendRuntime(requireRuntimeId(request.id))),
      })),
    resumeRuntime: (request) =>
      guarded("ResumeRuntime", async () => ({
        runtime: runtimeToProto(await runtimes.resumeRuntime(requireRuntimeId(request.id))),
      })),
    updateRuntime: (request) =>
      guarded("UpdateRuntime", async () => {
        const { id, update } = validateUpdateRuntime(request);
        return { runtime: runtimeToProto(await runtimes.updateRuntime(id, update)) };
      }),
    shutdownRuntime: (request) =>
      guarded("ShutdownRuntime", async () => ({
        runtime: runtimeToProto(await runtimes.shutdownRuntime(requireRuntimeId(request.id))),
      })),
  };
}

/** Registers RuntimeService on a router. */
export function runtimeRoutes(options: RuntimeServiceOptions): (router: ConnectRouter) => void {
  const service = createRuntimeService(options);
  return (router) => {
    router.service(RuntimeService, service);
  };
}

/**
 * Runtime errors get their codes; gateway references map as in the gateway services (bad prefix →
 * INVALID_ARGUMENT, unknown policies, configs and secrets → NOT_FOUND listing them all); the rest
 * (unknown axon, store failures) as in AxonService.
 */
export function runtimeErrorToConnect(error: unknown, logger: Logger, rpc: string): ConnectError {
  if (error instanceof RuntimeNotFoundError) return new ConnectError(error.message, Code.NotFound);
  if (error instanceof InvalidRuntimeError) return invalidArgument(error.message);
  if (error instanceof RuntimeStateError) return new ConnectError(error.message, Code.FailedPrecondition);
  if (error instanceof RuntimePreconditionError) {
    return new ConnectError(error.message, Code.FailedPrecondition);
  }
  if (error instanceof RuntimeManagerClosedError) {
    return new ConnectError("the server is shutting down; retry later", Code.Unavailable);
  }
  return toGatewayConnectError(error, logger, rpc);
}
