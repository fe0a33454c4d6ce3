import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { SqlService } from "@openaxon/protocol";

/**
 * SqlService where this server has no SQL databases to offer (axond in cluster mode): every call
 * answers FAILED_PRECONDITION with the reason, so a client learns why instead of UNIMPLEMENTED.
 */
export function sqlRefusedRoutes(reason: string): (router: ConnectRouter) => void {
  const refuse = async (): Promise<never> => {
    throw new ConnectError(reason, Code.FailedPrecondition);
  };
  const service: ServiceImpl<typeof SqlService> = { query: refuse, batch: refuse };
  return (router) => {
    router.service(SqlService, service);
  };
}
