import type { NetworkPolicy } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api } from "./api.js";
import { ConfirmDelete } from "./confirm-delete.js";
import { describeEgress } from "./describe-egress.js";
import { orThrow } from "./form-result.js";
import { formatTime } from "./format.js";
import {
  EMPTY_POLICY_FORM,
  type PolicyForm,
  policyFormFromPolicy,
  policyInputFromForm,
  policyUpdateFromForm,
} from "./network-policy-form.js";
import { PolicyEditor } from "./policy-editor.js";

/** Network policies: created, edited (UpdateNetworkPolicy replaces the egress whole) and deleted. */
export function NetworkPoliciesSection({
  policies,
  onChanged,
}: {
  policies: readonly NetworkPolicy[];
  onChanged: () => void;
}) {
  const [creating, setCreating] = useState(false);
  const create = async (form: PolicyForm) => {
    await api().networkPolicies.create(orThrow(policyInputFromForm(form)));
    setCreating(false);
    onChanged();
  };
  return (
    <>
      <div class="toolbar">
        <h2>Network policies</h2>
        {!creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New network policy
          </button>
        )}
      </div>
      {creating && (
        <PolicyEditor
          initial={EMPTY_POLICY_FORM}
          submitLabel="Create policy"
          onSave={create}
          onCancel={() => setCreating(false)}
        />
      )}
      <table class="list" data-testid="policies">
        <thead>
          <tr>
            <th>Name</th>
            <th>Egress</th>
            <th>Description</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {policies.map((p) => (
            <PolicyRow key={p.id} policy={p} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </>
  );
}

function PolicyRow({ policy, onChanged }: { policy: NetworkPolicy; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    const save = async (form: PolicyForm) => {
      await api().networkPolicies.update(policy.id, orThrow(policyUpdateFromForm(policy, form)));
      setEditing(false);
      onChanged();
    };
    return (
      <tr data-policy-id={policy.id}>
        <td colSpan={5}>
          <PolicyEditor
            initial={policyFormFromPolicy(policy)}
            submitLabel="Save policy"
            onSave={save}
            onCancel={() => setEditing(false)}
          />
        </td>
      </tr>
    );
  }
  return (
    <tr data-policy-id={policy.id}>
      <td>{policy.name}</td>
      <td>{describeEgress(policy.egress)}</td>
      <td class="muted">{policy.description}</td>
      <td>{formatTime(policy.updatedAtMs)}</td>
      <td class="actions">
        <button type="button" onClick={() => setEditing(true)}>
          Edit
        </button>
        <ConfirmDelete
          what={`network policy “${policy.name}”`}
          onDelete={async () => {
            await api().networkPolicies.delete(policy.id);
            onChanged();
          }}
        />
      </td>
    </tr>
  );
}
