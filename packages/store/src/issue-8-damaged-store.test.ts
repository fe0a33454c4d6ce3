import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StoreCorruptionError } from "./errors.js";
import type { KvLogStore } from "./kv-log-store.js";
import { Origin, type StoredEvent } from "./log-store.js";
import { tempClassicLevelStore } from "./test-support/temp-store.js";

const EVENTS = 2000;
const payloadOf = (n: number) => JSON.stringify({ n, text: `event ${n} `.repeat(8) });

/** A store with EVENTS events written to a LevelDB table file (.ldb), closed. */
async function storeOnTables() {
  const temp = await tempClassicLevelStore();
  const axon = await temp.store.createAxon({ name: "a", labels: {} });
  for (let n = 0; n < EVENTS; n += 100) {
    const batch = Array.from({ length: 100 }, (_, i) => ({
      origin: Origin.User,
      source: "t",
      eventType: "e",
      payload: payloadOf(n + i + 1),
    }));
    await temp.store.append(axon.id, batch);
  }
  await temp.store.close();
  // A reopen turns the WAL into a table file.
  await (await temp.reopen()).close();
  const tables = (await readdir(temp.path)).filter((name) => name.endsWith(".ldb"));
  expect(tables.length).toBeGreaterThan(0);
  return { ...temp, axonId: axon.id, table: join(temp.path, tables[0]!) };
}

/** Reads everything back: either exactly what was written, or a StoreCorruptionError. */
type Outcome = { events: StoredEvent[] } | { damage: Error } | { refused: Error };

async function readAllOrDamage(reopen: () => Promise<KvLogStore>, axonId: string): Promise<Outcome> {
  let store: KvLogStore;
  try {
    store = await reopen();
  } catch (error) {
    return { refused: error as Error };
  }
  try {
    const events = await store.read(axonId, { afterSequence: 0, limit: EVENTS * 2 });
    return { events };
  } catch (error) {
    return { damage: error as Error };
  } finally {
    await store.close();
  }
}

// Issue 8 item 3: flipped table bytes were served as changed payloads, a truncated table as a
// shorter log, both with OK.
describe("issue 8: a damaged LevelDB table", () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it.each([0.25, 0.5, 0.75])(
    "with bytes flipped at %f of the table is DATA_LOSS, never a changed payload",
    async (at) => {
      const s = await storeOnTables();
      dispose = s.dispose;
      const size = (await stat(s.table)).size;
      const file = await open(s.table, "r+");
      const offset = Math.floor(size * at);
      const bytes = Buffer.alloc(16);
      await file.read(bytes, 0, 16, offset);
      for (let i = 0; i < 16; i++) bytes[i] = bytes[i]! ^ 0x5a;
      await file.write(bytes, 0, 16, offset);
      await file.close();

      const result = await readAllOrDamage(s.reopen, s.axonId);
      if ("events" in result) {
        // Bytes outside any event's data (say, padding) may change nothing: then all must be intact.
        expect(result.events.map((e) => e.payload)).toEqual(
          Array.from({ length: EVENTS }, (_, i) => payloadOf(i + 1)),
        );
      } else if ("damage" in result) {
        expect(result.damage).toBeInstanceOf(StoreCorruptionError);
        expect(result.damage.message).toContain(s.axonId);
      } else {
        expect(result.refused.message).toMatch(/corrupt/i);
      }
    },
  );

  it("truncated to half is DATA_LOSS or a refusal to open, never a shorter log with OK", async () => {
    const s = await storeOnTables();
    dispose = s.dispose;
    const size = (await stat(s.table)).size;
    const file = await open(s.table, "r+");
    await file.truncate(Math.floor(size / 2));
    await file.close();

    const result = await readAllOrDamage(s.reopen, s.axonId);
    expect("events" in result, "a truncated table was served as if whole").toBe(false);
    if ("damage" in result) {
      expect(result.damage).toBeInstanceOf(StoreCorruptionError);
      expect(result.damage.message).toContain(s.axonId);
    }
  });
});
