import type { RecordStore } from "@openaxon/store";
import { RuntimeNetwork } from "./runtime-network.js";
import { RUNTIME_RECORD_KIND, type RuntimeRecord } from "./runtime-record.js";

/**
 * The gateway registry's `referencedBy`, answered from the runtime records in the store: the
 * runtimes (not shut down) that use a secret, network policy or gateway config. Needs only the
 * store, so the registry can be opened before any RuntimeManager exists.
 */
export function runtimeReferencesIn(store: Pick<RecordStore, "listRecords">) {
  return async (kind: "secret" | "network_policy" | "gateway_config", id: string): Promise<string[]> =>
    RuntimeNetwork.references(await store.listRecords<RuntimeRecord>(RUNTIME_RECORD_KIND), kind, id);
}
