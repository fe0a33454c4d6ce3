import type { ConnectRouter } from "@connectrpc/connect";
import { GatewayConfigService, NetworkPolicyService, SecretService } from "@openaxon/protocol";
import { createGatewayConfigService } from "./gateway-config-service.js";
import { createNetworkPolicyService } from "./network-policy-service.js";
import { createSecretService, type GatewayServiceOptions } from "./secret-service.js";

/** Registers SecretService, NetworkPolicyService and GatewayConfigService on a router. */
export function gatewayRoutes(options: GatewayServiceOptions): (router: ConnectRouter) => void {
  const secrets = createSecretService(options);
  const policies = createNetworkPolicyService(options);
  const configs = createGatewayConfigService(options);
  return (router) => {
    router.service(SecretService, secrets);
    router.service(NetworkPolicyService, policies);
    router.service(GatewayConfigService, configs);
  };
}
