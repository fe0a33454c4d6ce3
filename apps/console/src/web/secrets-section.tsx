import type { Secret } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";
import { ConfirmDelete } from "./confirm-delete.js";
import { formatTime } from "./format.js";
import { redactSecret } from "./secret-redact.js";

/**
 * Secrets by name. The value is write-only: typed into a password field, sent once with
 * CreateSecret, then cleared; the API never returns it and the console never renders it.
 */
export function SecretsSection({
  secrets,
  onChanged,
}: {
  secrets: readonly Secret[];
  onChanged: () => void;
}) {
  return (
    <>
      <div class="toolbar">
        <h2>Secrets</h2>
        <CreateSecretForm onCreated={onChanged} />
      </div>
      <table class="list" data-testid="secrets">
        <thead>
          <tr>
            <th>Name</th>
            <th>Id</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {secrets.map((s) => (
            <SecretRow key={s.id} secret={s} onDeleted={onChanged} />
          ))}
        </tbody>
      </table>
    </>
  );
}

function CreateSecretForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string>();
  const create = async (event: Event) => {
    event.preventDefault();
    const sent = value;
    // Cleared before the call returns: the value lives in the page only while it is typed.
    setValue("");
    try {
      await api().secrets.create({ name, value: sent });
      setName("");
      setError(undefined);
      onCreated();
    } catch (e) {
      setError(redactSecret(errorText(e), sent));
    }
  };
  return (
    <form class="inline-form" onSubmit={create} data-testid="create-secret">
      <input
        placeholder="Secret name"
        aria-label="Secret name"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <input
        type="password"
        placeholder="Value (write-only)"
        aria-label="Secret value"
        autoComplete="off"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit" class="primary">
        Create secret
      </button>
      {error && <span class="error-inline">{error}</span>}
    </form>
  );
}

function SecretRow({ secret, onDeleted }: { secret: Secret; onDeleted: () => void }) {
  return (
    <tr data-secret-id={secret.id}>
      <td>{secret.name}</td>
      <td class="mono">{secret.id}</td>
      <td>{formatTime(secret.createdAtMs)}</td>
      <td class="actions">
        <ConfirmDelete
          what={`secret “${secret.name}”`}
          onDelete={async () => {
            await api().secrets.delete(secret.id);
            onDeleted();
          }}
        />
      </td>
    </tr>
  );
}
