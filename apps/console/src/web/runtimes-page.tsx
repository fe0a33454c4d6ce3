import type { Runtime } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";
import { CreateRuntimeForm } from "./create-runtime-form.js";
import { ErrorBox } from "./error-box.js";
import { linkTo } from "./router.js";
import { useAsync } from "./use-async.js";

export function RuntimesPage() {
  const runtimes = useAsync(() => api().runtimes.list(), []);
  return (
    <section class="page">
      <div class="toolbar">
        <h1>Runtimes</h1>
        <button type="button" onClick={runtimes.reload}>
          Refresh
        </button>
      </div>
      <CreateRuntimeForm onCreated={runtimes.reload} />
      <ErrorBox error={runtimes.error} />
      <table class="list">
        <thead>
          <tr>
            <th>Id</th>
            <th>Status</th>
            <th>Name</th>
            <th>Axons</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runtimes.value?.map((runtime) => (
            <RuntimeRow key={runtime.id} runtime={runtime} onChanged={runtimes.reload} />
          ))}
        </tbody>
      </table>
      {runtimes.value?.length === 0 && <p class="muted">No runtimes.</p>}
    </section>
  );
}

function RuntimeRow({ runtime, onChanged }: { runtime: Runtime; onChanged(): void }) {
  const [error, setError] = useState<string>();
  const act = (action: "suspend" | "resume" | "shutdown") => async () => {
    try {
      await api().runtimes[action](runtime.id);
      setError(undefined);
      onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <tr>
      <td class="mono">{runtime.id}</td>
      <td>
        <span class={`status status-${runtime.status}`}>{runtime.status}</span>{" "}
        <span class="muted">{runtime.statusReason}</span>
      </td>
      <td>{runtime.name}</td>
      <td>
        {runtime.mounts.map((m) => (
          <a key={m.axonId} class="mono" href={`/axons/${m.axonId}`} onClick={linkTo(`/axons/${m.axonId}`)}>
            {m.axonId}{" "}
          </a>
        ))}
      </td>
      <td class="actions">
        {error && <span class="error-inline">{error}</span>}
        <button type="button" disabled={runtime.status !== "running"} onClick={act("suspend")}>
          Suspend
        </button>
        <button
          type="button"
          disabled={runtime.status !== "suspended" && runtime.status !== "failed"}
          onClick={act("resume")}
        >
          Resume
        </button>
        <button
          type="button"
          class="danger"
          disabled={runtime.status === "shutdown"}
          onClick={act("shutdown")}
        >
          Shut down
        </button>
      </td>
    </tr>
  );
}
