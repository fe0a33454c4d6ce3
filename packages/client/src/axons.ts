import type { Client } from "@connectrpc/connect";
import type { AxonService } from "@openaxon/protocol";
import { toAxon, toWireRetention } from "./convert.js";
import type { Axon, AxonPage, CallOptions, Retention } from "./types.js";

export interface CreateAxonInput {
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Absent: keep everything (up to the server's per-axon size cap). */
  readonly retention?: Retention;
}

/**
 * What `axons.update` changes; what is left out stays as it is. `labels` replaces all labels.
 * `retention` changes exactly the limits it names (0 turns one off, the others stay);
 * `retention: null` removes the retention altogether.
 */
export interface UpdateAxonInput {
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly retention?: Retention | null;
}

const RETENTION_PATHS = {
  maxAgeMs: "retention.max_age_ms",
  maxEvents: "retention.max_events",
  maxBytes: "retention.max_bytes",
} as const;

/** The UpdateAxon request for `input`: the field mask names exactly what `input` sets. */
export function updateAxonRequest(id: string, input: UpdateAxonInput) {
  const paths: string[] = [];
  if (input.name !== undefined) paths.push("name");
  if (input.labels !== undefined) paths.push("labels");
  if (input.retention === null) paths.push("retention");
  else if (input.retention !== undefined) {
    for (const [key, path] of Object.entries(RETENTION_PATHS)) {
      if (input.retention[key as keyof Retention] !== undefined) paths.push(path);
    }
  }
  if (paths.length === 0) throw new TypeError("axons.update needs at least one of name, labels, retention");
  return {
    id,
    name: input.name ?? "",
    labels: { ...input.labels },
    ...(input.retention && { retention: toWireRetention(input.retention) }),
    updateMask: { paths },
  };
}

export interface ListAxonsInput {
  /** Only axons whose name starts with this prefix. */
  readonly namePrefix?: string;
  /** Axons per request (server default 100, max 1000). */
  readonly pageSize?: number;
}

export interface ListAxonsPageInput extends ListAxonsInput {
  /** `nextPageToken` of the previous page; omit for the first page. */
  readonly pageToken?: string;
}

/** Managing axons: `client.axons`. */
export interface Axons {
  create(input?: CreateAxonInput, options?: CallOptions): Promise<Axon>;
  /** Throws ConnectError NOT_FOUND for unknown and deleted axons. */
  get(id: string, options?: CallOptions): Promise<Axon>;
  /** Every matching axon, oldest first, fetching pages as the loop advances. */
  list(input?: ListAxonsInput, options?: CallOptions): AsyncIterable<Axon>;
  listPage(input?: ListAxonsPageInput, options?: CallOptions): Promise<AxonPage>;
  /** Changes name, labels or retention (see UpdateAxonInput); returns the axon as it now is. */
  update(id: string, input: UpdateAxonInput, options?: CallOptions): Promise<Axon>;
  /** Deletes the axon: its events stop being served at once; the server frees its disk in the background. */
  delete(id: string, options?: CallOptions): Promise<void>;
}

export function createAxons(rpc: Client<typeof AxonService>): Axons {
  const listPage = async (input: ListAxonsPageInput = {}, options?: CallOptions): Promise<AxonPage> => {
    const response = await rpc.listAxons(
      { namePrefix: input.namePrefix ?? "", pageSize: input.pageSize ?? 0, pageToken: input.pageToken ?? "" },
      options,
    );
    return { axons: response.axons.map(toAxon), nextPageToken: response.nextPageToken };
  };
  return {
    async create(input = {}, options) {
      const response = await rpc.createAxon(
        {
          name: input.name ?? "",
          labels: { ...input.labels },
          ...(input.retention && { retention: toWireRetention(input.retention) }),
        },
        options,
      );
      return toAxon(response.axon);
    },
    async update(id, input, options) {
      const response = await rpc.updateAxon(updateAxonRequest(id, input), options);
      return toAxon(response.axon);
    },
    async get(id, options) {
      const response = await rpc.getAxon({ id }, options);
      return toAxon(response.axon);
    },
    async *list(input = {}, options) {
      let pageToken = "";
      do {
        const page = await listPage({ ...input, pageToken }, options);
        yield* page.axons;
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
    },
    listPage,
    async delete(id, options) {
      await rpc.deleteAxon({ id }, options);
    },
  };
}
