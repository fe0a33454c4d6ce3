import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";

/** One runtime's lease as stored: the node that wrote it, and the KV revision (the fencing token). */
export interface JetStreamLease {
  readonly holder: string;
  readonly revision: number;
}

/**
 * Runtime leases in a KV bucket (`<prefix>_leases`) whose max age is the lease ttl: a lease nobody
 * renews disappears by itself. Writes are revision-checked (create-if-absent, update-if-revision),
 * so two nodes racing for one runtime cannot both win; the revision a write got is its fencing
 * token. Matches @openaxon/runtime's LeaseStore.
 */
export class JetStreamLeaseStore {
  constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly bucket: string,
  ) {}

  async list(): Promise<ReadonlyMap<string, JetStreamLease>> {
    // The keys come from the stream's subject counts, one request answered at once. kv.keys()
    // reads them through a consumer that waits for as many messages as it was told were pending,
    // and hangs when one ages out before it is delivered (nats-server#3481): a lease expiring while
    // a node lists them is exactly what this bucket is for.
    const prefix = `$KV.${this.bucket}.`;
    const info = await this.jsm.streams.info(`KV_${this.bucket}`, { subjects_filter: `${prefix}>` });
    const keys = Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
    const leases = new Map<string, JetStreamLease>();
    await Promise.all(
      keys.map(async (key) => {
        const entry = await this.kv.get(key);
        if (entry?.operation !== "PUT") return;
        const { holder } = entry.json<{ holder: string }>();
        leases.set(key, { holder, revision: entry.revision });
      }),
    );
    return leases;
  }

  async write(runtimeId: string, holder: string, expectRevision: number): Promise<number | undefined> {
    const value = JSON.stringify({ holder });
    try {
      return expectRevision === 0
        ? await this.kv.create(runtimeId, value)
        : await this.kv.update(runtimeId, value, expectRevision);
    } catch (error) {
      if (isLostRace(error)) return undefined;
      throw error;
    }
  }

  async release(runtimeId: string, revision: number): Promise<void> {
    try {
      await this.kv.delete(runtimeId, { previousSeq: revision });
    } catch (error) {
      if (!isLostRace(error)) throw error;
    }
  }
}

/**
 * Opens (creating if needed) the lease bucket. Every node must use the same ttl — a node with a
 * shorter one would take over leases a longer-lived holder still trusts — so a bucket that exists
 * with another max age is refused (nats.js binds an existing bucket without comparing).
 */
export async function openJetStreamLeaseStore(
  js: JetStreamClient,
  options: { readonly bucket: string; readonly ttlMs: number; readonly replicas: number },
): Promise<JetStreamLeaseStore> {
  const kv = await new Kvm(js).create(options.bucket, {
    replicas: options.replicas,
    history: 1,
    ttl: options.ttlMs,
    storage: StorageType.File,
    allow_direct: false,
  });
  const existing = (await kv.status()).ttl;
  if (existing !== options.ttlMs) {
    throw new Error(
      `the lease bucket ${options.bucket} has a ${existing} ms ttl, this node asks for ${options.ttlMs} ms: ` +
        "every node must use the same runtime lease ttl",
    );
  }
  return new JetStreamLeaseStore(kv, await js.jetstreamManager(), options.bucket);
}

/** The revision was not the one expected: another node wrote (or deleted) the lease first. */
function isLostRace(error: unknown): boolean {
  if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence)
    return true;
  // kv.create rethrows a wrong-last-sequence as "wrong last sequence" text in some versions.
  return /wrong last sequence/i.test(String((error as Error)?.message ?? ""));
}
