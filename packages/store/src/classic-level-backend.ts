import { ClassicLevel } from "classic-level";
import type { KvBackend, KvOp, KvRange } from "./kv-backend.js";

/** KvBackend on classic-level (LevelDB). Every write is a single `sync: true` batch. */
export class ClassicLevelBackend implements KvBackend {
  private constructor(private readonly db: ClassicLevel<string, Uint8Array>) {}

  static async open(path: string): Promise<ClassicLevelBackend> {
    const db = new ClassicLevel<string, Uint8Array>(path, { keyEncoding: "utf8", valueEncoding: "view" });
    await db.open();
    return new ClassicLevelBackend(db);
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
