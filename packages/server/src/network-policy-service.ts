import type { ServiceImpl } from "@connectrpc/connect";
import type { NetworkPolicyService } from "@openaxon/protocol";
import { pino } from "pino";
import { gatewayGuard } from "./gateway-errors.js";
import { networkPolicyToProto } from "./gateway-to-proto.js";
import type { GatewayServiceOptions } from "./secret-service.js";

/** NetworkPolicyService over the registry; policies are returned in canonical form. */
export function createNetworkPolicyService(
  options: GatewayServiceOptions,
): ServiceImpl<typeof NetworkPolicyService> {
  const { registry } = options;
  const guarded = gatewayGuard(options.logger ?? pino({ level: "silent" }));
  return {
    createNetworkPolicy: (request) =>
      guarded("CreateNetworkPolicy", async () => ({
        policy: networkPolicyToProto(
          await registry.createNetworkPolicy({
            name: request.name,
            description: request.description,
            ...(request.egress && { egress: request.egress }),
          }),
        ),
      })),
    getNetworkPolicy: (request) =>
      guarded("GetNetworkPolicy", async () => ({
        policy: networkPolicyToProto(await registry.getNetworkPolicy(request.id)),
      })),
    listNetworkPolicies: () =>
      guarded("ListNetworkPolicies", async () => ({
        policies: (await registry.listNetworkPolicies()).map(networkPolicyToProto),
      })),
    updateNetworkPolicy: (request) =>
      guarded("UpdateNetworkPolicy", async () => ({
        policy: networkPolicyToProto(
          await registry.updateNetworkPolicy(request.id, {
            ...(request.name !== undefined && { name: request.name }),
            ...(request.description !== undefined && { description: request.description }),
            ...(request.egress && { egress: request.egress }),
          }),
        ),
      })),
    deleteNetworkPolicy: (request) =>
      guarded("DeleteNetworkPolicy", async () => {
        await registry.deleteNetworkPolicy(request.id);
        return {};
      }),
  };
}
