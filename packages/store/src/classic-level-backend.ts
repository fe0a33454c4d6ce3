import { readdir } from "node:fs/promises";
import { ClassicLevel } from "classic-level";
import { decideStoreOpen } from "./decide-store-open.js";
import { StoreRefusedError } from "./errors.js";
import type { KvBackend, KvOp, KvRange } from "./kv-backend.js";

type Db = ClassicLevel<string, Uint8Array>;

/** KvBackend on classic-level (LevelDB). Every write is a single `sync: true` batch. */
export class ClassicLevelBackend implements KvBackend {
  private constructor(
    private readonly path: string,
    private db: Db,
  ) {}

  /**
   * Opens the database in `path`, creating it only if the directory is new or empty. A directory
   * that holds tables but lost its CURRENT file is refused (StoreRefusedError): LevelDB would
   * otherwise start an empty database over it.
   */
  static async open(path: string): Promise<ClassicLevelBackend> {
    return new ClassicLevelBackend(path, await openDb(path));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.db.get(key)) ?? undefined;
  }

  async writeDurable(ops: readonly KvOp[]): Promise<void> {
    await this.db.batch(ops as KvOp[], { sync: true });
  }

  entries(range: KvRange): Promise<Array<[string, Uint8Array]>> {
    return this.db.iterator(toLevelRange(range)).all();
  }

  values(range: KvRange): Promise<Uint8Array[]> {
    return this.db.values(toLevelRange(range)).all();
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /**
   * LevelDB keeps a failed write's error (say ENOSPC) and refuses every later write until the
   * database is opened again. Reopening replays the WAL, so what was durable stays.
   */
  async reopen(): Promise<void> {
    await this.db.close();
    this.db = await openDb(this.path);
  }
}

async function openDb(path: string): Promise<Db> {
  const entries = await readdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const decision = decideStoreOpen(path, entries);
  if (decision.kind === "refuse") throw new StoreRefusedError(decision.reason);
  const create = decision.kind === "create";
  const db: Db = new ClassicLevel<string, Uint8Array>(path, {
    keyEncoding: "utf8",
    valueEncoding: "view",
    createIfMissing: create,
    errorIfExists: create,
  });
  await db.open();
  return db;
}

function toLevelRange(range: KvRange) {
  return {
    ...(range.gt !== undefined && { gt: range.gt }),
    ...(range.gte !== undefined && { gte: range.gte }),
    ...(range.lt !== undefined && { lt: range.lt }),
    reverse: range.reverse ?? false,
    limit: range.limit ?? -1,
  };
}
