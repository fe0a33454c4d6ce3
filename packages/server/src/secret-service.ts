import type { ServiceImpl } from "@connectrpc/connect";
import type { GatewayRegistry } from "@openaxon/gateway";
import type { SecretService } from "@openaxon/protocol";
import { type Logger, pino } from "pino";
import { gatewayGuard } from "./gateway-errors.js";
import { secretToProto } from "./gateway-to-proto.js";

export interface GatewayServiceOptions {
  registry: GatewayRegistry;
  /** Default: silent. */
  logger?: Logger;
}

/**
 * SecretService over the registry. The value goes in through CreateSecret and nowhere out: the
 * responses carry SecretInfo only, and the registry's errors never quote it.
 */
export function createSecretService(options: GatewayServiceOptions): ServiceImpl<typeof SecretService> {
  const { registry } = options;
  const guarded = gatewayGuard(options.logger ?? pino({ level: "silent" }));
  return {
    createSecret: (request) =>
      guarded("CreateSecret", async () => ({
        secret: secretToProto(await registry.createSecret({ name: request.name, value: request.value })),
      })),
    listSecrets: () =>
      guarded("ListSecrets", async () => ({ secrets: (await registry.listSecrets()).map(secretToProto) })),
    deleteSecret: (request) =>
      guarded("DeleteSecret", async () => {
        await registry.deleteSecret(request.id);
        return {};
      }),
  };
}
