import { Code, ConnectError } from "@connectrpc/connect";
import {
  RegistryAlreadyExistsError,
  RegistryInUseError,
  RegistryNotFoundError,
  RegistryValidationError,
  SecretKeyMismatchError,
} from "@openaxon/gateway";
import type { Logger } from "pino";
import { toConnectError } from "./errors.js";

/**
 * Registry errors to status codes; everything else goes through toConnectError (store errors,
 * INTERNAL). Registry messages never contain a secret value, so they are passed on as they are.
 */
export function toGatewayConnectError(error: unknown, logger: Logger, rpc: string): ConnectError {
  if (error instanceof RegistryValidationError) return new ConnectError(error.message, Code.InvalidArgument);
  if (error instanceof RegistryNotFoundError) return new ConnectError(error.message, Code.NotFound);
  if (error instanceof RegistryAlreadyExistsError) return new ConnectError(error.message, Code.AlreadyExists);
  if (error instanceof RegistryInUseError) return new ConnectError(error.message, Code.FailedPrecondition);
  if (error instanceof SecretKeyMismatchError) {
    logger.error({ rpc }, error.message);
    return new ConnectError(error.message, Code.FailedPrecondition);
  }
  return toConnectError(error, logger, rpc);
}

/** Runs an RPC body with registry errors mapped. */
export function gatewayGuard(logger: Logger) {
  return async <T>(rpc: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw toGatewayConnectError(error, logger, rpc);
    }
  };
}
