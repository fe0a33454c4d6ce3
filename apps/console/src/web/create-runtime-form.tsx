import type { AgentProtocolName, PermissionPolicyName } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";
import { parseLabels } from "./axons-page.js";

const PROTOCOLS: readonly AgentProtocolName[] = ["stdio", "acp", "claude-code"];
const POLICIES: readonly PermissionPolicyName[] = ["auto_allow", "ask", "deny"];

/** Creates a runtime with one agent mounted on one axon; the CLI and SDK cover the rest of the options. */
export function CreateRuntimeForm({ onCreated }: { onCreated(): void }) {
  const [form, setForm] = useState({
    axonId: "",
    protocol: "stdio" as AgentProtocolName,
    agentBinary: "",
    args: "",
    cwd: "",
    env: "",
    permissionPolicy: "auto_allow" as PermissionPolicyName,
    networkPolicy: "",
    idleSuspendSeconds: "",
  });
  const [error, setError] = useState<string>();
  const set = (key: keyof typeof form) => (event: Event) =>
    setForm({ ...form, [key]: (event.currentTarget as HTMLInputElement).value });
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await api().runtimes.create({
        mounts: [
          {
            axonId: form.axonId.trim(),
            protocol: form.protocol,
            agentBinary: form.agentBinary.trim(),
            launchArgs: form.args.split(/\s+/).filter((a) => a !== ""),
            permissionPolicy: form.permissionPolicy,
          },
        ],
        env: parseLabels(form.env),
        ...(form.cwd.trim() && { workingDirectory: form.cwd.trim() }),
        ...(form.networkPolicy.trim() && { networkPolicy: form.networkPolicy.trim() }),
        ...(form.idleSuspendSeconds && {
          lifecycle: { idleSuspendSeconds: Number(form.idleSuspendSeconds) },
        }),
      });
      setError(undefined);
      onCreated();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form class="create-runtime" onSubmit={create}>
      <input placeholder="Axon id (axn_…)" aria-label="Axon id" value={form.axonId} onInput={set("axonId")} />
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
      <input placeholder="Args" aria-label="Args" value={form.args} onInput={set("args")} />
      <input placeholder="Working dir" aria-label="Working directory" value={form.cwd} onInput={set("cwd")} />
      <input placeholder="env: K=V, K=V" aria-label="Env" value={form.env} onInput={set("env")} />
      <select aria-label="Permission policy" value={form.permissionPolicy} onChange={set("permissionPolicy")}>
        {POLICIES.map((p) => (
          <option key={p}>{p}</option>
        ))}
      </select>
      <input
        placeholder="Network policy"
        aria-label="Network policy"
        value={form.networkPolicy}
        onInput={set("networkPolicy")}
      />
      <input
        placeholder="Idle suspend (s)"
        aria-label="Idle suspend seconds"
        inputMode="numeric"
        value={form.idleSuspendSeconds}
        onInput={set("idleSuspendSeconds")}
      />
      <button type="submit" class="primary">
        Create runtime
      </button>
      {error && <span class="error-inline">{error}</span>}
    </form>
  );
}
