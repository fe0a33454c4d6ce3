import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KvLogStore } from "./kv-log-store.js";
import {
  type AxonLogOperation,
  assertAxonLogLinearizable,
  HistoryRecorder,
  logWorkloadPlan,
  type RecordedOperation,
  runLogWorkload,
} from "./test-support/linearizability/index.js";
import { tempClassicLevelStore } from "./test-support/temp-store.js";

// The linearizability checker on the embedded store: concurrent writers and readers on one axon
// of a real classic-level store on disk, every recorded history checked (issue 15).
describe("issue 15: histories recorded on classic-level are linearizable", () => {
  let t: Awaited<ReturnType<typeof tempClassicLevelStore>>;
  let store: KvLogStore;
  beforeEach(async () => {
    t = await tempClassicLevelStore();
    store = t.store;
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("any plan of racing appends (shared keys, expected heads) and reads both ways", async () => {
    let operations = 0;
    await fc.assert(
      fc.asyncProperty(logWorkloadPlan(), async (plan) => {
        const { id } = await store.createAxon({ name: "", labels: {} });
        const recorder = new HistoryRecorder();
        const clients = [
          { name: "a", store },
          { name: "b", store },
        ];
        await runLogWorkload({ plan, clients, axonId: id, recorder });
        const history = recorder.history(id);
        operations += history.length;
        assertAxonLogLinearizable(history);
      }),
      { numRuns: 25 },
    );
    expect(operations).toBeGreaterThan(25 * 4);
  });

  it("a recorded history with its last read made stale is caught", async () => {
    const { id } = await store.createAxon({ name: "", labels: {} });
    const recorder = new HistoryRecorder();
    const plan = fc.sample(logWorkloadPlan(), 1)[0]!;
    await runLogWorkload({ plan, clients: [{ name: "a", store }], axonId: id, recorder });
    const history = recorder.history(id);
    assertAxonLogLinearizable(history);
    const last = history.at(-1)!;
    const read = last.op as Extract<AxonLogOperation, { kind: "read" }>;
    expect(read.events.length).toBeGreaterThan(0);
    const stale: RecordedOperation = { ...last, op: { ...read, events: read.events.slice(0, -1) } };
    expect(() => assertAxonLogLinearizable([...history.slice(0, -1), stale])).toThrow(/not linearizable/);
  });
});
