import type { Axon } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";
import { ConfirmDelete } from "./confirm-delete.js";
import { ErrorBox } from "./error-box.js";
import { formatTime } from "./format.js";
import { parseLabels } from "./labels.js";
import { linkTo } from "./router.js";
import { useAsync } from "./use-async.js";

const PAGE_SIZE = 50;

export function AxonsPage() {
  const [prefix, setPrefix] = useState("");
  /** Tokens of the pages before the current one; the last is the current page's. */
  const [tokens, setTokens] = useState<string[]>([""]);
  const pageToken = tokens[tokens.length - 1]!;
  const page = useAsync(
    () => api().axons.listPage({ namePrefix: prefix, pageSize: PAGE_SIZE, pageToken }),
    [prefix, pageToken],
  );
  const search = (value: string) => {
    setPrefix(value);
    setTokens([""]);
  };
  return (
    <section class="page">
      <div class="toolbar">
        <h1>Axons</h1>
        <input
          type="search"
          placeholder="Name starts with…"
          aria-label="Name prefix"
          value={prefix}
          onInput={(e) => search(e.currentTarget.value)}
        />
        <CreateAxonForm onCreated={page.reload} />
      </div>
      <ErrorBox error={page.error} />
      <table class="list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Id</th>
            <th class="num">Head</th>
            <th>Created</th>
            <th>Labels</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {page.value?.axons.map((axon) => (
            <AxonRow key={axon.id} axon={axon} onDeleted={page.reload} />
          ))}
        </tbody>
      </table>
      {page.value?.axons.length === 0 && <p class="muted">No axons{prefix ? ` named “${prefix}…”` : ""}.</p>}
      <div class="pager">
        <button type="button" disabled={tokens.length < 2} onClick={() => setTokens(tokens.slice(0, -1))}>
          ← Previous
        </button>
        <span class="muted">Page {tokens.length}</span>
        <button
          type="button"
          disabled={!page.value?.nextPageToken}
          onClick={() => setTokens([...tokens, page.value!.nextPageToken])}
        >
          Next →
        </button>
      </div>
    </section>
  );
}

function AxonRow({ axon, onDeleted }: { axon: Axon; onDeleted: () => void }) {
  return (
    <tr data-axon-id={axon.id}>
      <td>
        <a href={`/axons/${axon.id}`} onClick={linkTo(`/axons/${axon.id}`)}>
          {axon.name || <span class="muted">(unnamed)</span>}
        </a>
      </td>
      <td class="mono">{axon.id}</td>
      <td class="num">{axon.headSequence}</td>
      <td>{formatTime(axon.createdAtMs)}</td>
      <td>
        {Object.entries(axon.labels).map(([k, v]) => (
          <span key={k} class="label">
            {k}={v}
          </span>
        ))}
      </td>
      <td class="actions">
        <ConfirmDelete
          what={`“${axon.name || axon.id}”`}
          onDelete={async () => {
            await api().axons.delete(axon.id);
            onDeleted();
          }}
        />
      </td>
    </tr>
  );
}

function CreateAxonForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [labels, setLabels] = useState("");
  const [error, setError] = useState<string>();
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await api().axons.create({ name, labels: parseLabels(labels) });
      setName("");
      setLabels("");
      setError(undefined);
      onCreated();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form class="inline-form" onSubmit={create}>
      <input
        placeholder="New axon name"
        aria-label="New axon name"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <input
        placeholder="labels: k=v, k=v"
        aria-label="Labels"
        value={labels}
        onInput={(e) => setLabels(e.currentTarget.value)}
      />
      <button type="submit" class="primary">
        Create
      </button>
      {error && <span class="error-inline">{error}</span>}
    </form>
  );
}
