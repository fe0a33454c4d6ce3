import type { WitnessReading } from "./decide-commit-check.js";

/** One thing wrong with a store, as `axond verify` reports it. */
export interface VerifyProblem {
  /** Undefined for damage to the store as a whole (lost commits, unopenable database). */
  readonly axonId?: string;
  readonly axonName?: string;
  /** The sequence range affected, inclusive, when known. */
  readonly fromSequence?: number;
  readonly toSequence?: number;
  readonly what: string;
}

export interface VerifyReport {
  readonly storePath: string;
  readonly clean: boolean;
  readonly axons: number;
  readonly chunks: number;
  readonly events: number;
  /** Batches LevelDB holds (m!commits), when the database could be opened. */
  readonly levelCommits?: number;
  readonly witness?: WitnessReading;
  /**
   * Commits the write-ahead journal held that LevelDB did not (after a crash): replayed into the
   * scratch copy before the scan, as the next open will replay them into the store.
   */
  readonly journalReplayed?: number;
  readonly problems: readonly VerifyProblem[];
  /** How the scan was done (scratch copy, what LevelDB cannot check). */
  readonly notes: readonly string[];
}

const range = (p: VerifyProblem) =>
  p.fromSequence === undefined
    ? ""
    : ` sequences ${p.fromSequence}..${p.toSequence === undefined ? "?" : p.toSequence}`;

/** The human form: one line per problem, then a summary. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [`store ${report.storePath}`];
  for (const note of report.notes) lines.push(`  note: ${note}`);
  for (const p of report.problems) {
    const where =
      p.axonId === undefined
        ? "store"
        : `axon ${p.axonName === undefined ? "" : `"${p.axonName}" `}${p.axonId}${range(p)}`;
    lines.push(`  DAMAGED ${where}: ${p.what}`);
  }
  const counted = `${report.axons} axons, ${report.chunks} chunks, ${report.events} events checked`;
  const commits =
    report.levelCommits === undefined
      ? ""
      : `; ${report.levelCommits} commits${report.witness?.kind === "acked" ? ` (witness: ${report.witness.acked} checkpointed)` : ""}${report.journalReplayed ? `, ${report.journalReplayed} of them from the journal (the next open replays them)` : ""}`;
  lines.push(
    report.clean
      ? `OK: ${counted}${commits}; no damage found`
      : `DAMAGED: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}; ${counted}${commits}`,
  );
  return `${lines.join("\n")}\n`;
}
