import type { AuthTypeName, GatewayConfig } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";
import { ConfirmDelete } from "./confirm-delete.js";
import { orThrow } from "./form-result.js";
import { useFormState } from "./form-state.js";
import {
  EMPTY_GATEWAY_CONFIG_FORM,
  type GatewayConfigForm,
  gatewayConfigInputFromForm,
} from "./gateway-config-form.js";

const AUTH_TYPES: readonly { type: AuthTypeName; label: string; key?: string }[] = [
  { type: "bearer", label: "Authorization: Bearer <secret>" },
  { type: "header", label: "a header carries the secret", key: "Header name, e.g. x-api-key" },
  { type: "basic", label: "Authorization: Basic user:<secret>", key: "User name" },
];

/** Gateway configs: created and deleted (the API has no update; delete and create to change one). */
export function GatewayConfigsSection({
  configs,
  onChanged,
}: {
  configs: readonly GatewayConfig[];
  onChanged: () => void;
}) {
  const [creating, setCreating] = useState(false);
  return (
    <>
      <div class="toolbar">
        <h2>Gateway configs</h2>
        {!creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New gateway config
          </button>
        )}
      </div>
      {creating && (
        <CreateGatewayConfigForm
          onCreated={() => {
            setCreating(false);
            onChanged();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <table class="list" data-testid="configs">
        <thead>
          <tr>
            <th>Name</th>
            <th>Endpoint</th>
            <th>Auth</th>
            <th>Headers</th>
            <th>Description</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {configs.map((c) => (
            <tr key={c.id} data-config-id={c.id}>
              <td>{c.name}</td>
              <td class="mono">{c.endpoint}</td>
              <td>
                {c.auth.type}
                {c.auth.key ? ` (${c.auth.key})` : ""}
              </td>
              <td class="mono">
                {Object.entries(c.customHeaders)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join("; ")}
              </td>
              <td class="muted">{c.description}</td>
              <td class="actions">
                <ConfirmDelete
                  what={`gateway config “${c.name}”`}
                  onDelete={async () => {
                    await api().gatewayConfigs.delete(c.id);
                    onChanged();
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function CreateGatewayConfigForm({ onCreated, onCancel }: { onCreated: () => void; onCancel: () => void }) {
  const { form, set } = useFormState<GatewayConfigForm>(EMPTY_GATEWAY_CONFIG_FORM);
  const [error, setError] = useState<string>();
  const keyLabel = AUTH_TYPES.find((a) => a.type === form.authType)?.key;
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await api().gatewayConfigs.create(orThrow(gatewayConfigInputFromForm(form)));
      onCreated();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form
      class="resource-form"
      onSubmit={create}
      data-testid="config-form"
      aria-label="Create gateway config"
    >
      <fieldset class="stack">
        <legend>Upstream</legend>
        <input placeholder="Name" aria-label="Config name" value={form.name} onInput={set("name")} />
        <input
          class="wide"
          placeholder="Endpoint, e.g. https://api.anthropic.com"
          aria-label="Endpoint"
          value={form.endpoint}
          onInput={set("endpoint")}
        />
        <input
          class="wide"
          placeholder="Description (optional)"
          aria-label="Config description"
          value={form.description}
          onInput={set("description")}
        />
      </fieldset>
      <fieldset>
        <legend>Credential injection</legend>
        <select aria-label="Auth" value={form.authType} onChange={set("authType")}>
          {AUTH_TYPES.map((a) => (
            <option key={a.type} value={a.type}>
              {a.type} — {a.label}
            </option>
          ))}
        </select>
        {keyLabel && (
          <input placeholder={keyLabel} aria-label="Auth key" value={form.authKey} onInput={set("authKey")} />
        )}
        <textarea
          rows={2}
          placeholder={"Extra headers, one a line:\nanthropic-version: 2023-06-01"}
          aria-label="Custom headers"
          value={form.headers}
          onInput={set("headers")}
        />
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="primary">
          Create config
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {error && <span class="error-inline">{error}</span>}
      </div>
    </form>
  );
}
