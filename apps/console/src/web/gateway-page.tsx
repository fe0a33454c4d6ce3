import { useState } from "preact/hooks";
import { api } from "./api.js";
import { ErrorBox } from "./error-box.js";
import { GatewayConfigsSection } from "./gateway-configs-section.js";
import { NetworkPoliciesSection } from "./network-policies-section.js";
import { navigate } from "./router.js";
import { SecretsSection } from "./secrets-section.js";
import { useAsync } from "./use-async.js";

/** The gateway's resources: secrets, network policies and gateway configs, each managed in place. */
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
      <NetworkPoliciesSection policies={policies} onChanged={data.reload} />
      <GatewayConfigsSection configs={configs} onChanged={data.reload} />
    </section>
  );
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
