// The SQL host: a child process that owns the axons' SQLite files and runs one request at a time.
// The parent (src/sql-host.ts) decides what may run (statement checks, limits) and ends this
// process with SIGKILL when a statement passes its time limit; SQLite recovers the WAL on the next
// open like after any crash. Plain JS so it starts without a TypeScript loader.
import { closeSync, openSync, rmSync } from "node:fs";
import Database from "libsql";

/** The event mirror lives in its own file, attached under this name: it is a rebuildable cache and
 *  must not count against the axon's size cap. */
const MIRROR_SCHEMA = "axon_log";
/** Unqualified names reach attached schemas, so this name is refused in user SQL (statement-check.ts). */
const MIRROR_TABLE = "axon_log_events";

/** path -> { db, maxPages } in least-recently-used order (oldest first). */
const open = new Map();
let maxOpen = 64;

function openDatabase(request) {
  const existing = open.get(request.path);
  if (existing) {
    open.delete(request.path);
    open.set(request.path, existing);
    return existing;
  }
  // Create the files owner-only before SQLite does (it gives -wal and -shm the database's mode).
  for (const path of [request.path, request.mirrorPath]) closeSync(openSync(path, "a", 0o600));
  const db = new Database(request.path);
  try {
    db.defaultSafeIntegers(true);
    db.exec("PRAGMA journal_mode=WAL");
    // FULL: a commit is fsynced before the parent is told, so an acknowledged write survives a crash.
    db.exec("PRAGMA synchronous=FULL");
    const pageSize = Number(db.prepare("PRAGMA page_size").raw().get()[0]);
    db.exec(`PRAGMA max_page_count=${Math.max(1, Math.floor(request.maxDatabaseBytes / pageSize))}`);
    db.prepare(`ATTACH DATABASE ? AS ${MIRROR_SCHEMA}`).run([request.mirrorPath]);
    db.exec(`PRAGMA ${MIRROR_SCHEMA}.journal_mode=WAL`);
    // NORMAL is enough for a cache: a crash can lose only a suffix of it, which is mirrored again.
    db.exec(`PRAGMA ${MIRROR_SCHEMA}.synchronous=NORMAL`);
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${MIRROR_SCHEMA}.${MIRROR_TABLE} (sequence INTEGER PRIMARY KEY, timestamp_ms INTEGER NOT NULL, origin TEXT NOT NULL, source TEXT NOT NULL, event_type TEXT NOT NULL, payload TEXT NOT NULL)`,
    );
    // A TEMP view: SQLite refuses writes to views, so axon_events is read-only by construction.
    db.exec(
      `CREATE TEMP VIEW IF NOT EXISTS axon_events AS SELECT sequence, timestamp_ms, origin, source, event_type, payload FROM ${MIRROR_SCHEMA}.${MIRROR_TABLE}`,
    );
  } catch (error) {
    db.close();
    throw error;
  }
  const entry = { db };
  open.set(request.path, entry);
  while (open.size > maxOpen) {
    const [oldestPath, oldest] = open.entries().next().value;
    open.delete(oldestPath);
    closeNow(oldest.db);
  }
  return entry;
}

function closeDatabase(path) {
  const entry = open.get(path);
  if (!entry) return;
  open.delete(path);
  closeNow(entry.db);
}

/** libsql keeps the files open until every statement of the connection is garbage: collect them
 *  (the parent starts this process with --expose-gc) so an evicted database really lets go. */
function closeNow(db) {
  db.close();
  globalThis.gc?.();
}

function valueBytes(value) {
  if (value === null) return 1;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  return 8;
}

function sqliteError(error) {
  if (error && typeof error.code === "string" && error.code.startsWith("SQLITE_")) {
    return { message: error.message, code: error.code };
  }
  return { message: String(error?.message ?? error), code: "SQLITE_ERROR" };
}

function runStatement(db, statement, limits) {
  const started = performance.now();
  const prepared = db.prepare(statement.sql);
  const columns = prepared.columns().map((c) => ({ name: c.name, type: c.type ?? "" }));
  const totalBefore = db.prepare("SELECT total_changes()").raw().get()[0];
  const rows = [];
  let limitReached = false;
  if (prepared.reader) {
    prepared.raw(true);
    let bytes = 0;
    for (const row of prepared.iterate(statement.params)) {
      const size = row.reduce((sum, v) => sum + valueBytes(v), 0);
      if (rows.length >= limits.maxRows || bytes + size > limits.maxBytes) {
        limitReached = true;
        break;
      }
      bytes += size;
      rows.push(row.map((v) => (Buffer.isBuffer(v) ? new Uint8Array(v) : v)));
    }
  } else {
    prepared.run(statement.params);
  }
  const [changes, totalAfter, lastInsertRowid] = db
    .prepare("SELECT changes(), total_changes(), last_insert_rowid()")
    .raw()
    .get();
  return {
    columns,
    rows,
    changes: totalAfter !== totalBefore ? changes : 0n,
    lastInsertRowid,
    durationMs: performance.now() - started,
    limitReached,
  };
}

const handlers = {
  configure(request) {
    maxOpen = request.maxOpen;
    return {};
  },
  mirrorHead(request) {
    const { db } = openDatabase(request);
    const [head] = db
      .prepare(`SELECT coalesce(max(sequence), 0) FROM ${MIRROR_SCHEMA}.${MIRROR_TABLE}`)
      .raw()
      .get();
    return { head: Number(head) };
  },
  mirror(request) {
    const { db } = openDatabase(request);
    const insert = db.prepare(
      `INSERT OR IGNORE INTO ${MIRROR_SCHEMA}.${MIRROR_TABLE} VALUES (?, ?, ?, ?, ?, ?)`,
    );
    db.exec("BEGIN IMMEDIATE");
    try {
      if (request.trimBelow !== undefined) {
        db.prepare(`DELETE FROM ${MIRROR_SCHEMA}.${MIRROR_TABLE} WHERE sequence < ?`).run([
          request.trimBelow,
        ]);
      }
      for (const row of request.rows) insert.run(row);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
    return {};
  },
  run(request) {
    const { db } = openDatabase(request);
    const results = [];
    const atomic = request.atomic;
    if (atomic) db.exec("BEGIN IMMEDIATE");
    for (const statement of request.statements) {
      try {
        results.push({ ok: runStatement(db, statement, request.limits) });
      } catch (error) {
        results.push({ error: sqliteError(error) });
        break;
      }
    }
    // A step refused by the parent's checks fails the batch after the steps before it ran.
    if (request.trailingError && !results.some((r) => r.error))
      results.push({ error: request.trailingError });
    const failed = results.some((r) => r.error);
    if (atomic) {
      if (failed) {
        if (db.inTransaction) db.exec("ROLLBACK");
      } else {
        try {
          db.exec("COMMIT");
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK");
          return { results, committed: false, commitError: sqliteError(error) };
        }
      }
    }
    return { results, committed: !failed };
  },
  delete(request) {
    closeDatabase(request.path);
    for (const path of [request.path, request.mirrorPath]) {
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
    }
    return {};
  },
  closeAll() {
    for (const path of [...open.keys()]) closeDatabase(path);
    return {};
  },
};

process.on("message", (request) => {
  let reply;
  try {
    reply = { id: request.id, ok: handlers[request.op](request) };
  } catch (error) {
    reply = { id: request.id, error: sqliteError(error) };
  }
  process.send(reply);
});

// Never outlive the parent: the IPC channel closes when it exits, however it exits.
process.on("disconnect", () => {
  handlers.closeAll();
  process.exit(0);
});
