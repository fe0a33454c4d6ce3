/**
 * The SQL the simulation sends, and all that its model of the SQLite files understands. The model
 * is not SQLite: it interprets these statements exactly and answers anything else with an error
 * (which the clients report as an unexpected one), so a statement the model does not know can
 * never pass silently.
 */
export const SIM_SQL = {
  /** Every axon's database has `notes(id TEXT PRIMARY KEY, body TEXT)` (the model creates it). */
  insertNote: "INSERT INTO notes(id, body) VALUES (?, ?)",
  selectNotes: "SELECT id, body FROM notes ORDER BY rowid",
  selectEvents:
    "SELECT sequence, timestamp_ms, origin, source, event_type, payload FROM axon_events ORDER BY sequence",
} as const;

/** A row of `notes`: ids are `<write id>.<n>`, unique per write, so a retry cannot insert twice. */
export interface NoteRow {
  readonly id: string;
  readonly body: string;
}

/** A row of the events mirror, as SqlDatabases sends it to the host. */
export type MirrorRow = readonly [bigint, bigint, string, string, string, string];

/** The write a note row belongs to (`w7.1` → `w7`). */
export const writeOf = (noteId: string): string => noteId.slice(0, noteId.lastIndexOf("."));
