import type { ServiceImpl } from "@connectrpc/connect";
import type { GatewayConfigService } from "@openaxon/protocol";
import { pino } from "pino";
import { gatewayGuard } from "./gateway-errors.js";
import { gatewayConfigToProto } from "./gateway-to-proto.js";
import type { GatewayServiceOptions } from "./secret-service.js";

/** GatewayConfigService over the registry. */
export function createGatewayConfigService(
  options: GatewayServiceOptions,
): ServiceImpl<typeof GatewayConfigService> {
  const { registry } = options;
  const guarded = gatewayGuard(options.logger ?? pino({ level: "silent" }));
  return {
    createGatewayConfig: (request) =>
      guarded("CreateGatewayConfig", async () => ({
        gatewayConfig: gatewayConfigToProto(
          await registry.createGatewayConfig({
            name: request.name,
            description: request.description,
            endpoint: request.endpoint,
            ...(request.authMechanism && { authMechanism: request.authMechanism }),
            customHeaders: request.customHeaders,
          }),
        ),
      })),
    getGatewayConfig: (request) =>
      guarded("GetGatewayConfig", async () => ({
        gatewayConfig: gatewayConfigToProto(await registry.getGatewayConfig(request.id)),
      })),
    listGatewayConfigs: () =>
      guarded("ListGatewayConfigs", async () => ({
        gatewayConfigs: (await registry.listGatewayConfigs()).map(gatewayConfigToProto),
      })),
    deleteGatewayConfig: (request) =>
      guarded("DeleteGatewayConfig", async () => {
        await registry.deleteGatewayConfig(request.id);
        return {};
      }),
  };
}
