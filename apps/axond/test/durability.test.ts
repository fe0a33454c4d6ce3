import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Origin } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AxonClient, connectAxonClient, readAll } from "./support/axon-client.js";
import { startAxondProcess } from "./support/axond-process.js";

const AXONS = 4;
const PUBLISHERS_PER_AXON = 4;
const ROUNDS = 3;
/** Acknowledged publishes per round before the kill; the kill then lands with all publishers in flight. */
const ACKS_BEFORE_KILL = 200;

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-durability-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** What the publishers learned: acknowledged sequences and every payload they ever sent. */
interface Ledger {
  readonly acked: Map<string, Map<number, string>>;
  readonly sent: Set<string>;
}

type Mode = "unary Publish" | "Append session";

describe("durability across SIGKILL", () => {
  it.each<Mode>(["unary Publish", "Append session"])(
    "keeps every acknowledged event with its sequence, gap-free, and never reuses a sequence (%s)",
    async (mode) => {
      const ledger: Ledger = { acked: new Map(), sent: new Set() };
      const axonIds: string[] = [];

      for (let round = 0; round < ROUNDS; round++) {
        const axond = await startAxondProcess({ args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir] });
        const client = connectAxonClient(axond.url);
        if (round === 0) {
          for (let i = 0; i < AXONS; i++) {
            const { axon } = await client.createAxon({ name: `durable-${i}` });
            axonIds.push(axon!.id);
            ledger.acked.set(axon!.id, new Map());
          }
        } else {
          await verifyAfterCrash(client, axonIds, ledger);
        }

        let acksThisRound = 0;
        let failures = 0;
        let killed = false;
        let kill!: () => void;
        const killNow = new Promise<void>((resolve) => {
          kill = resolve;
        });
        const publisher = async (axonId: string, writer: number) => {
          for (let i = 0; !killed; i++) {
            const payload = JSON.stringify({ round, writer, i, pad: "x".repeat(64) });
            ledger.sent.add(`${axonId} ${payload}`);
            try {
              const res = await client.publish({
                axonId,
                origin: Origin.EXTERNAL_EVENT,
                source: "durability-test",
                eventType: "test.event",
                payload,
              });
              ledger.acked.get(axonId)!.set(Number(res.sequence), payload);
              if (++acksThisRound === ACKS_BEFORE_KILL) kill();
            } catch {
              // The server died under this publish: it may or may not be durable, both are allowed.
              failures++;
              return;
            }
          }
        };
        const onAcked = (count: number) => {
          acksThisRound += count;
          if (acksThisRound >= ACKS_BEFORE_KILL) kill();
        };
        const onFailed = () => {
          failures++;
        };
        const publishers =
          mode === "unary Publish"
            ? axonIds.flatMap((axonId) =>
                Array.from({ length: PUBLISHERS_PER_AXON }, (_, w) => publisher(axonId, w)),
              )
            : axonIds.map((axonId) =>
                sessionPublisher(client, axonId, round, ledger, () => killed, onAcked, onFailed),
              );
        await killNow;
        const exit = await axond.stop("SIGKILL");
        killed = true;
        await Promise.all(publishers);
        expect(exit.signal).toBe("SIGKILL");
        // The kill really landed mid-flight: some publishes never heard back.
        expect(failures).toBeGreaterThan(0);
      }

      const axond = await startAxondProcess({ args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir] });
      try {
        await verifyAfterCrash(connectAxonClient(axond.url), axonIds, ledger);
      } finally {
        await axond.stop("SIGTERM");
      }
    },
    180_000,
  );
});

/**
 * One Append session per axon with up to 8 pipelined batches of 1–5 events in flight; acked ranges
 * go to the ledger. Returns when the session dies under the kill.
 */
async function sessionPublisher(
  client: AxonClient,
  axonId: string,
  round: number,
  ledger: Ledger,
  isKilled: () => boolean,
  onAcked: (count: number) => void,
  onFailed: () => void,
): Promise<void> {
  const inFlight: string[][] = [];
  let wake: (() => void) | undefined;
  let batch = 0;
  async function* requests() {
    while (!isKilled()) {
      if (inFlight.length >= 8) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const payloads = Array.from({ length: 1 + (batch % 5) }, (_, j) =>
        JSON.stringify({ round, session: true, batch, j, pad: "x".repeat(64) }),
      );
      for (const payload of payloads) ledger.sent.add(`${axonId} ${payload}`);
      inFlight.push(payloads);
      yield {
        batchId: BigInt(batch++),
        axonId,
        events: payloads.map((payload) => ({
          origin: Origin.EXTERNAL_EVENT,
          source: "durability-test",
          eventType: "test.event",
          payload,
        })),
      };
    }
  }
  try {
    for await (const response of client.append(requests())) {
      const payloads = inFlight.shift()!;
      if (response.result.case !== "ack") throw new Error(`unexpected ${response.result.case}`);
      const first = Number(response.result.value.firstSequence);
      for (const [j, payload] of payloads.entries()) ledger.acked.get(axonId)!.set(first + j, payload);
      onAcked(payloads.length);
      wake?.();
    }
  } catch {
    // The server died with batches in flight: they may or may not be durable, both are allowed.
    if (inFlight.length > 0) onFailed();
  }
}

async function verifyAfterCrash(client: AxonClient, axonIds: string[], ledger: Ledger): Promise<void> {
  for (const axonId of axonIds) {
    const events = await readAll(client, axonId);
    const head = events.length;
    // Gap-free: exactly 1..head.
    expect(events.map((e) => Number(e.sequence))).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    const { axon } = await client.getAxon({ id: axonId });
    expect(Number(axon!.headSequence)).toBe(head);

    // Every acknowledged event survived, at its acknowledged sequence, with its payload.
    const bySequence = new Map(events.map((e) => [Number(e.sequence), e.payload]));
    for (const [sequence, payload] of ledger.acked.get(axonId)!) {
      expect(bySequence.get(sequence)).toBe(payload);
    }
    // Unacknowledged publishes may or may not have landed, but only what was sent, each at most once.
    const seen = new Set<string>();
    for (const e of events) {
      expect(ledger.sent.has(`${axonId} ${e.payload}`)).toBe(true);
      expect(seen.has(e.payload)).toBe(false);
      seen.add(e.payload);
    }

    // New publishes continue right after the recovered head: no sequence is reused.
    const payload = JSON.stringify({ probe: head });
    ledger.sent.add(`${axonId} ${payload}`);
    const res = await client.publish({
      axonId,
      origin: Origin.USER_EVENT,
      source: "durability-test",
      eventType: "test.probe",
      payload,
    });
    expect(Number(res.sequence)).toBe(head + 1);
    ledger.acked.get(axonId)!.set(head + 1, payload);
  }
}
