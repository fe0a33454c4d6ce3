import { useState } from "preact/hooks";
import { errorText } from "./api.js";
import { useFormState } from "./form-state.js";
import type { PolicyForm } from "./network-policy-form.js";

/**
 * The form for one network policy, used to create and to edit. `onSave` throws to refuse: the form's
 * own mistakes as plain Errors, the server's as ConnectErrors (shown in its words); the form keeps
 * what was typed either way.
 */
export function PolicyEditor({
  initial,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: PolicyForm;
  submitLabel: string;
  onSave: (form: PolicyForm) => Promise<void>;
  onCancel: () => void;
}) {
  const { form, set } = useFormState<PolicyForm>(initial);
  const [error, setError] = useState<string>();
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      await onSave(form);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form class="resource-form" onSubmit={save} data-testid="policy-form" aria-label={submitLabel}>
      <fieldset class="stack">
        <legend>Policy</legend>
        <input placeholder="Name" aria-label="Policy name" value={form.name} onInput={set("name")} />
        <input
          class="wide"
          placeholder="Description (optional)"
          aria-label="Policy description"
          value={form.description}
          onInput={set("description")}
        />
      </fieldset>
      <fieldset>
        <legend>Egress allows</legend>
        <textarea
          rows={3}
          placeholder={"Hosts, one a line:\nregistry.npmjs.org\n*.github.com"}
          aria-label="Allowed hosts"
          value={form.hostnames}
          onInput={set("hostnames")}
        />
        <textarea
          rows={3}
          placeholder={"CIDR [ports], one a line:\n10.0.0.0/8 443, 8000-8100\n127.0.0.1/32"}
          aria-label="CIDR rules"
          value={form.cidrs}
          onInput={set("cidrs")}
        />
        <div class="checks">
          <label class="check">
            <input type="checkbox" checked={form.allowAll} onChange={set("allowAll")} />
            any public address
          </label>
          <label class="check">
            <input type="checkbox" checked={form.allowAgentGateway} onChange={set("allowAgentGateway")} />
            the agent's gateway bindings
          </label>
        </div>
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="primary">
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {error && <span class="error-inline">{error}</span>}
      </div>
    </form>
  );
}
