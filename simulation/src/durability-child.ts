/**
 * The real store in a child process, for the durability suite: the parent SIGKILLs it mid-write.
 * Usage: node --conditions=source --import tsx durability-child.ts <db path>
 * stdout: `{"ready":"<axon id>"}`, then `{"ack":"<pid>","first":<seq>}` per durable append.
 * stdin: one append per line, `{"pid":"…","events":<n>,"key":"…"?}`, issued as they arrive.
 */
import { createInterface } from "node:readline";
import { openClassicLevelLogStore } from "@openaxon/store";
import { appendEvents } from "./durability-model.js";

const path = process.argv[2];
if (!path) throw new Error("usage: durability-child.ts <db path>");
const store = await openClassicLevelLogStore({ path });
const existing = await store.listAxons({ limit: 1 });
const axonId = existing[0]?.id ?? (await store.createAxon({ name: "durability", labels: {} })).id;
process.stdout.write(`${JSON.stringify({ ready: axonId })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const { pid, events, key } = JSON.parse(line) as { pid: string; events: number; key?: string };
  store.append(axonId, appendEvents(pid, events), key ? { idempotencyKey: key } : {}).then(
    (r) => process.stdout.write(`${JSON.stringify({ ack: pid, first: r.firstSequence })}\n`),
    (error: unknown) => process.stdout.write(`${JSON.stringify({ failed: pid, error: String(error) })}\n`),
  );
}
