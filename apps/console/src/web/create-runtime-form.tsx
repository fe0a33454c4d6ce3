import type { AgentProtocolName, PermissionPolicyName } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";
import { useFormState } from "./form-state.js";
import { EMPTY_RUNTIME_FORM, type RuntimeForm, runtimeInputFromForm } from "./runtime-form.js";
import { useAsync } from "./use-async.js";

const PROTOCOLS: readonly AgentProtocolName[] = ["stdio", "acp", "claude-code", "codex", "pi"];
const POLICIES: readonly PermissionPolicyName[] = ["auto_allow", "ask", "deny"];

/** Creates a runtime with one agent mounted on one axon: the agent, its lifecycle and its network. */
export function CreateRuntimeForm({ onCreated }: { onCreated(): void }) {
  const { form, set } = useFormState<RuntimeForm>(EMPTY_RUNTIME_FORM);
  const [error, setError] = useState<string>();
  // Names to pick from; a server without the gateway simply offers none.
  const policies = useAsync(() => api().networkPolicies.list(), []);
  const configs = useAsync(() => api().gatewayConfigs.list(), []);
  const create = async (event: Event) => {
    event.preventDefault();
    const input = runtimeInputFromForm(form);
    if ("error" in input) {
      setError(input.error);
      return;
    }
    try {
      await api().runtimes.create(input);
      setError(undefined);
      onCreated();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form class="create-runtime" onSubmit={create} aria-label="Create runtime">
      <fieldset>
        <legend>Agent</legend>
        <input
          placeholder="Axon id (axn_…)"
          aria-label="Axon id"
          value={form.axonId}
          onInput={set("axonId")}
        />
        <select aria-label="Protocol" value={form.protocol} onChange={set("protocol")}>
          {PROTOCOLS.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        <input
          placeholder="Agent, e.g. rev"
          aria-label="Agent"
          value={form.agentBinary}
          onInput={set("agentBinary")}
        />
        <input
          placeholder='Args, as in a shell: --flag "two words"'
          aria-label="Args"
          value={form.args}
          onInput={set("args")}
        />
        <select
          aria-label="Permission policy"
          value={form.permissionPolicy}
          onChange={set("permissionPolicy")}
        >
          {POLICIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </fieldset>
      <fieldset>
        <legend>Runtime</legend>
        <input
          placeholder="Name (optional)"
          aria-label="Runtime name"
          value={form.name}
          onInput={set("name")}
        />
        <input
          placeholder="Working dir"
          aria-label="Working directory"
          value={form.cwd}
          onInput={set("cwd")}
        />
        <input placeholder="env: K=V, K=V" aria-label="Env" value={form.env} onInput={set("env")} />
      </fieldset>
      <fieldset>
        <legend>Lifecycle</legend>
        <input
          placeholder="Idle seconds (never)"
          aria-label="Idle seconds"
          inputMode="numeric"
          value={form.idleSeconds}
          onInput={set("idleSeconds")}
        />
        <select aria-label="On idle" value={form.onIdle} onChange={set("onIdle")}>
          <option value="suspend">then suspend</option>
          <option value="shutdown">then shut down</option>
        </select>
        <label class="check">
          <input type="checkbox" checked={form.resumeOnEvent} onChange={set("resumeOnEvent")} />a message
          resumes it
        </label>
      </fieldset>
      <fieldset>
        <legend>Network</legend>
        <input
          placeholder="Network policy (default)"
          aria-label="Network policy"
          list="network-policies"
          value={form.networkPolicy}
          onInput={set("networkPolicy")}
        />
        <datalist id="network-policies">
          {policies.value?.map((p) => (
            <option key={p.id} value={p.name} />
          ))}
        </datalist>
        <input
          class="wide"
          placeholder="Gateways: PREFIX=gateway:secret, …"
          aria-label="Gateway bindings"
          list="gateway-configs"
          value={form.gateways}
          onInput={set("gateways")}
        />
        <datalist id="gateway-configs">
          {configs.value?.map((c) => (
            <option key={c.id} value={`GWS_${c.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}=${c.name}:`} />
          ))}
        </datalist>
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="primary">
          Create runtime
        </button>
        {error && <span class="error-inline">{error}</span>}
      </div>
    </form>
  );
}
