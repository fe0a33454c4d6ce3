import type { Client } from "@connectrpc/connect";
import type { AxonService } from "@openaxon/protocol";
import { toAxon } from "./convert.js";
import type { Axon, AxonPage, CallOptions } from "./types.js";

export interface CreateAxonInput {
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
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
  /** Marks the axon deleted; its events are no longer served. */
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
      const response = await rpc.createAxon({ name: input.name ?? "", labels: { ...input.labels } }, options);
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
