import type { Egress } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api } from "./api.js";
import { ErrorBox } from "./error-box.js";
import { navigate } from "./router.js";
import { SecretsSection } from "./secrets-section.js";
import { useAsync } from "./use-async.js";

/** The gateway's resources. Secrets can be created and deleted here; policies and configs are read views. */
export function GatewayPage() {
  const data = useAsync(
    () => Promise.all([api().secrets.list(), api().networkPolicies.list(), api().gatewayConfigs.list()]),
    [],
  );
  const [secrets, policies, configs] = data.value ?? [[], [], []];
  return (
    <section class="page">
      <div class="toolbar">
        <h1>Gateway</h1>
        <button type="button" onClick={data.reload}>
          Refresh
        </button>
        <AuditLink />
      </div>
      <ErrorBox error={data.error} />
      <SecretsSection secrets={secrets} onChanged={data.reload} />
      <h2>Network policies</h2>
      <table class="list" data-testid="policies">
        <thead>
          <tr>
            <th>Name</th>
            <th>Egress</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {policies.map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td>{describeEgress(p.egress)}</td>
              <td class="muted">{p.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Gateway configs</h2>
      <table class="list" data-testid="configs">
        <thead>
          <tr>
            <th>Name</th>
            <th>Endpoint</th>
            <th>Auth</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {configs.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td class="mono">{c.endpoint}</td>
              <td>
                {c.auth.type}
                {c.auth.key ? ` (${c.auth.key})` : ""}
              </td>
              <td class="muted">{c.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function describeEgress(egress: Egress): string {
  const parts: string[] = [];
  if (egress.allowAll) parts.push("any public address");
  if (egress.allowedHostnames.length > 0) parts.push(egress.allowedHostnames.join(", "));
  for (const rule of egress.allowedCidrs) {
    const ports = rule.ports.map((p) => (p.start === p.end ? `${p.start}` : `${p.start}-${p.end}`)).join(",");
    parts.push(ports ? `${rule.cidr}:${ports}` : rule.cidr);
  }
  if (egress.allowAgentGateway) parts.push("agent gateway");
  return parts.length > 0 ? parts.join("; ") : "nothing allowed";
}

/** The audit lives with the axon it was written to: this opens /axons/<id>/audit. */
function AuditLink() {
  const [axonId, setAxonId] = useState("");
  const open = (event: Event) => {
    event.preventDefault();
    if (axonId.trim()) navigate(`/axons/${encodeURIComponent(axonId.trim())}/audit`);
  };
  return (
    <form class="inline-form" onSubmit={open}>
      <input
        placeholder="Axon id (axn_…)"
        aria-label="Audit of axon"
        value={axonId}
        onInput={(e) => setAxonId(e.currentTarget.value)}
      />
      <button type="submit">Open allowed/denied audit</button>
    </form>
  );
}
