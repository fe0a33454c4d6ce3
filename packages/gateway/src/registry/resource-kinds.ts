/** The three kinds of gateway resources, with their id prefixes and record kinds. */
export type ResourceKind = "secret" | "network_policy" | "gateway_config";

export interface ResourceKindInfo {
  /** Id prefix: ids look like `sec_…`. */
  readonly idPrefix: string;
  /** Record kind in the store. */
  readonly recordKind: string;
  /** For messages: "secret", "network policy", "gateway config". */
  readonly label: string;
}

export const RESOURCE_KINDS: Readonly<Record<ResourceKind, ResourceKindInfo>> = {
  secret: { idPrefix: "sec", recordKind: "gateway.secret", label: "secret" },
  network_policy: { idPrefix: "np", recordKind: "gateway.network_policy", label: "network policy" },
  gateway_config: { idPrefix: "gwc", recordKind: "gateway.config", label: "gateway config" },
};
