import type { RecordStore } from "@openaxon/store";

const RUNTIME_RECORD_KIND = "runtime";

/**
 * Before runtime leases, cluster nodes kept their runtime records in their own data dir. Moves any
 * such record into the cluster (unless one with its id is already there) and removes the local
 * copy, so an upgraded node's runtimes are not silently forgotten. Returns how many moved.
 */
export async function shareLocalRuntimes(
  local: Pick<RecordStore, "listRecords" | "deleteRecord">,
  shared: Pick<RecordStore, "getRecord" | "putRecord">,
): Promise<number> {
  let moved = 0;
  for (const record of await local.listRecords<{ id: string }>(RUNTIME_RECORD_KIND)) {
    if (!(await shared.getRecord(RUNTIME_RECORD_KIND, record.id))) {
      await shared.putRecord(RUNTIME_RECORD_KIND, record.id, record);
      moved++;
    }
    await local.deleteRecord(RUNTIME_RECORD_KIND, record.id);
  }
  return moved;
}
