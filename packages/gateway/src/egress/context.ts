import type { AccessAudit } from "../audit.js";
import type { GatewayLogger } from "../logger.js";
import type { IpAddress } from "./ip-address.js";
import type { Listener } from "./policy.js";
import type { ProxyCredentials } from "./proxy-credentials.js";
import type { Resolver } from "./resolver.js";
import type { RuntimeTable } from "./runtime-table.js";
import type { Dial } from "./timed-dial.js";
import type { TunnelSlots } from "./tunnel-slots.js";

/** Where the gateway's own servers listen; filled in once they are bound. */
export interface OwnListeners {
  proxy: readonly Listener[];
  agentGateway: readonly Listener[];
}

/** Everything the proxy's request handlers share, built once by `startEgressProxy`. */
export interface EgressContext {
  readonly credentials: ProxyCredentials;
  readonly runtimes: RuntimeTable;
  readonly slots: TunnelSlots;
  readonly resolver: Resolver;
  readonly hostAddresses: () => readonly IpAddress[];
  readonly listeners: OwnListeners;
  readonly audit: AccessAudit;
  readonly dial: Dial;
  readonly log: GatewayLogger;
}
