/**
 * Where the registry keeps its records: small JSON values by (kind, id). Shaped after the store's
 * RecordStore (putRecord/getRecord/listRecords/deleteRecord) so the server's store plugs in through
 * `recordsFromStore`, and tests can use a Map. `list` returns a kind's records in id order.
 */
export interface RecordsPort {
  put(kind: string, id: string, value: unknown): Promise<void>;
  get<T>(kind: string, id: string): Promise<T | undefined>;
  list<T>(kind: string): Promise<T[]>;
  delete(kind: string, id: string): Promise<void>;
}

/** `@openaxon/store`'s RecordStore, restated structurally so the gateway does not depend on the store. */
export interface RecordStore {
  putRecord(kind: string, id: string, value: unknown): Promise<void>;
  getRecord<T>(kind: string, id: string): Promise<T | undefined>;
  listRecords<T>(kind: string): Promise<T[]>;
  deleteRecord(kind: string, id: string): Promise<void>;
}

export function recordsFromStore(store: RecordStore): RecordsPort {
  return {
    put: (kind, id, value) => store.putRecord(kind, id, value),
    get: (kind, id) => store.getRecord(kind, id),
    list: (kind) => store.listRecords(kind),
    delete: (kind, id) => store.deleteRecord(kind, id),
  };
}

/** An in-memory port that round-trips values through JSON, like a real store. For tests. */
export function memoryRecords(): RecordsPort {
  const kinds = new Map<string, Map<string, string>>();
  const of = (kind: string) => {
    let records = kinds.get(kind);
    if (!records) {
      records = new Map();
      kinds.set(kind, records);
    }
    return records;
  };
  return {
    async put(kind, id, value) {
      of(kind).set(id, JSON.stringify(value));
    },
    async get<T>(kind: string, id: string) {
      const text = of(kind).get(id);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    async list<T>(kind: string) {
      return [...of(kind).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, text]) => JSON.parse(text) as T);
    },
    async delete(kind, id) {
      of(kind).delete(id);
    },
  };
}
