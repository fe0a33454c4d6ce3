import { Origin } from "@openaxon/protocol";
import { isReadOnlyStatement } from "@openaxon/sql";
import type { Scope } from "./api-keys.js";

/** The parts of a request the decision looks at: Publish carries `origin`, PublishBatch `events`, SQL Query `sql`. */
export interface ScopedRequest {
  readonly sql?: string;
  readonly origin?: Origin;
  readonly events?: readonly { readonly origin?: Origin }[];
}

/** Scope per RPC, except Publish/PublishBatch whose scope depends on the events' origins. */
const TABLE: Readonly<Record<string, Readonly<Record<string, Scope>>>> = {
  "openaxon.v1.AxonService": {
    GetAxon: "read",
    ListAxons: "read",
    ListEvents: "read",
    Subscribe: "read",
    CreateAxon: "publish",
    UpdateAxon: "admin",
    DeleteAxon: "admin",
  },
  // Secrets, policies, gateway configs (their endpoints included) and runtimes (which run commands
  // on this machine) are administration, reads too: they reveal env, endpoints and bindings.
  "openaxon.v1.SecretService": { CreateSecret: "admin", ListSecrets: "admin", DeleteSecret: "admin" },
  "openaxon.v1.NetworkPolicyService": {
    CreateNetworkPolicy: "admin",
    GetNetworkPolicy: "admin",
    ListNetworkPolicies: "admin",
    UpdateNetworkPolicy: "admin",
    DeleteNetworkPolicy: "admin",
  },
  "openaxon.v1.GatewayConfigService": {
    CreateGatewayConfig: "admin",
    GetGatewayConfig: "admin",
    ListGatewayConfigs: "admin",
    DeleteGatewayConfig: "admin",
  },
  // SQL changes the axon's state as publishing does, so it needs `publish`; a Query whose statement
  // cannot write (isReadOnlyStatement) needs only `read` (below). Batches are for writes.
  "openaxon.v1.SqlService": { Query: "publish", Batch: "publish" },
  "openaxon.v1.RuntimeService": {
    CreateRuntime: "admin",
    GetRuntime: "admin",
    ListRuntimes: "admin",
    SuspendRuntime: "admin",
    ResumeRuntime: "admin",
    ShutdownRuntime: "admin",
    UpdateRuntime: "admin",
  },
  // Webhooks name a secret and open an unauthenticated-by-key endpoint into an axon: administration.
  "openaxon.v1.WebhookService": {
    CreateWebhook: "admin",
    GetWebhook: "admin",
    ListWebhooks: "admin",
    DeleteWebhook: "admin",
  },
};

/**
 * The scopes a call needs, all of them. Publishing USER and EXTERNAL events needs `publish`;
 * AGENT and SYSTEM events need `agent` (a batch mixing both needs both). An unspecified origin
 * needs `publish` and is then refused by validation. Anything not in the table needs `admin`, so a
 * new RPC is closed until it is classified here.
 */
export function requiredScopes(service: string, method: string, request: ScopedRequest | undefined): Scope[] {
  if (service === "openaxon.v1.AxonService" && method === "Append") {
    // The session itself needs nothing; each batch is checked like a PublishBatch (append-session.ts).
    if (request === undefined) return [];
    return requiredScopes(service, "PublishBatch", request);
  }
  if (service === "openaxon.v1.AxonService" && (method === "Publish" || method === "PublishBatch")) {
    const origins =
      method === "Publish" ? [request?.origin] : (request?.events ?? []).map((event) => event.origin);
    const needed = new Set<Scope>(origins.map(scopeForOrigin));
    if (needed.size === 0) needed.add("publish");
    return [...needed];
  }
  if (service === "openaxon.v1.SqlService" && method === "Query" && request?.sql !== undefined) {
    if (isReadOnlyStatement(request.sql)) return ["read"];
  }
  return [TABLE[service]?.[method] ?? "admin"];
}

function scopeForOrigin(origin: Origin | undefined): Scope {
  return origin === Origin.AGENT_EVENT || origin === Origin.SYSTEM_EVENT ? "agent" : "publish";
}
