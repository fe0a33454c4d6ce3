import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { AxonService } from "@openaxon/protocol";
import type { ClientContext } from "./clients.js";
import { trimmedAnswerProblem, trimmedBy } from "./served.js";

/** Limits the simulation sets; absent = off. */
export interface RetentionLimits {
  readonly maxEvents?: number;
  readonly maxAgeMs?: number;
}

/**
 * An operator and reader of trimmed axons: sets retention with UpdateAxon (the whole retention, or
 * single limits by FieldMask), asks GetAxon, and reads with ListEvents around the trim line. Every
 * answer is checked where it arrives (invariants 15–17); what the server served is checked where it
 * left the server (World's onServed).
 */
export class RetentionClient {
  private readonly client: Client<typeof AxonService>;
  private inFlight = 0;
  /** UpdateAxon calls sent: after one, the retention in force is what the server made of them. */
  updates = 0;

  constructor(private readonly ctx: ClientContext) {
    this.client = createClient(AxonService, ctx.net.transportFor("operator"));
  }

  get outstanding(): number {
    return this.inFlight;
  }

  /** UpdateAxon: `replace` the whole retention, or change only the limits given. */
  setRetention(axonId: string, limits: RetentionLimits, replace: boolean): void {
    const { ctx } = this;
    this.updates++;
    const paths = replace
      ? ["retention"]
      : [
          ...(limits.maxEvents !== undefined ? ["retention.max_events"] : []),
          ...(limits.maxAgeMs !== undefined ? ["retention.max_age_ms"] : []),
        ];
    const what = `max_events=${limits.maxEvents ?? "-"} max_age_ms=${limits.maxAgeMs ?? "-"} mask=${paths.join(",")}`;
    ctx.trace(`update retention axon=${ctx.nameOf(axonId)} ${what}`);
    this.track(
      this.client.updateAxon({
        id: axonId,
        retention: { maxEvents: BigInt(limits.maxEvents ?? 0), maxAgeMs: BigInt(limits.maxAgeMs ?? 0) },
        updateMask: { paths },
      }),
      `update retention axon=${ctx.nameOf(axonId)}`,
      () => ctx.trace(`retention of axon=${ctx.nameOf(axonId)} updated`),
    );
  }

  /** GetAxon (first_sequence is checked as it leaves the server). */
  getAxon(axonId: string): void {
    const { ctx } = this;
    ctx.trace(`get axon=${ctx.nameOf(axonId)}`);
    this.track(this.client.getAxon({ id: axonId }), `get axon=${ctx.nameOf(axonId)}`, (r) =>
      ctx.trace(
        `axon=${ctx.nameOf(axonId)} first_sequence=${r.axon?.firstSequence} head=${r.axon?.headSequence}`,
      ),
    );
  }

  /**
   * ListEvents ascending after `after`: either a contiguous page from after+1 (from the first
   * available when 0), each event exactly as acknowledged (invariant 17), or OUT_OF_RANGE naming a
   * first available sequence above the one needed, at the durable trim line (15/17).
   */
  listEvents(axonId: string, after: number, limit: number): void {
    const { ctx } = this;
    const name = ctx.nameOf(axonId);
    const who = `list ${name} after=${after}`;
    const lineAtSend = ctx.checker.firstSettled(axonId);
    ctx.trace(`${who} limit=${limit}`);
    this.track(
      this.client.listEvents({ axonId, afterSequence: BigInt(after), limit }),
      who,
      (r) => {
        const seqs = r.events.map((e) => Number(e.sequence));
        ctx.trace(`${who} → ${seqs.length > 0 ? `seq=${seqs[0]}..${seqs.at(-1)}` : "nothing"}`);
        if (after > 0 && after + 1 < lineAtSend && seqs.length > 0) {
          ctx.checker.fail(
            15,
            `${who} was answered with events although the trim line ${lineAtSend} was durable when it was sent`,
          );
        }
        const from = after === 0 ? (seqs[0] ?? 0) : after + 1;
        if (seqs.some((seq, i) => seq !== from + i)) {
          ctx.checker.fail(
            17,
            `${who} was answered seq ${seqs.join(",")}, not a contiguous page from ${from}`,
          );
        }
        for (const e of r.events) {
          ctx.checker.onDeliver(
            who,
            axonId,
            {
              sequence: Number(e.sequence),
              origin: e.origin,
              source: e.source,
              eventType: e.eventType,
              payload: e.payload,
            },
            17,
          );
        }
      },
      (error) => {
        const trimmed = trimmedBy(error);
        if (!trimmed) {
          // Below a durable line the answer is OUT_OF_RANGE, nothing else (UNAVAILABLE aside).
          const line = ctx.checker.durableLog(axonId).first;
          if (after + 1 >= line || ConnectError.from(error).code === Code.Unavailable) return false;
          ctx.checker.fail(
            15,
            `${who} needed ${after + 1}, below the durable trim line ${line}, and got ${Code[ConnectError.from(error).code]} instead of OUT_OF_RANGE: ${ConnectError.from(error).rawMessage}`,
          );
          return true;
        }
        const problem =
          trimmed.requestedSequence !== after + 1 && after > 0
            ? `it names ${trimmed.requestedSequence} as needed, not ${after + 1}`
            : trimmedAnswerProblem(trimmed, {
                atSend: lineAtSend,
                atArrival: ctx.checker.durableLog(axonId).first,
              });
        if (problem) ctx.checker.fail(17, `${who} was told events were trimmed, but ${problem}`);
        ctx.trace(`${who} → OUT_OF_RANGE, first available ${trimmed.firstSequence}`);
        ctx.coverage.readTrimmed++;
        return true;
      },
    );
  }

  /** Answers: ok, UNAVAILABLE (the server died: nothing to check), or an expected error; else 12. */
  private track<T>(
    call: Promise<T>,
    what: string,
    ok: (response: T) => void,
    expected: (error: unknown) => boolean = () => false,
  ): void {
    this.inFlight++;
    call
      .then(ok, (error: unknown) => {
        const e = ConnectError.from(error);
        if (e.code === Code.Unavailable) this.ctx.trace(`${what}: UNAVAILABLE`);
        else if (!expected(error))
          this.ctx.checker.fail(12, `${what} failed with ${Code[e.code]}: ${e.rawMessage}`);
      })
      .finally(() => {
        this.inFlight--;
      });
  }
}
