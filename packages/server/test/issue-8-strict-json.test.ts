import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, expect, test } from "vitest";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function connectJson(method: string, body: Uint8Array | string) {
  const response = await fetch(`${h!.server.url}/openaxon.v1.AxonService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", "connect-protocol-version": "1" },
    body,
  });
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
}

test("Connect JSON with invalid UTF-8 is refused with INVALID_ARGUMENT, logged, and nothing is stored", async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  h = await startHarness({ logger: pino({ level: "info" }, sink) });
  const axonId = (await h.client.createAxon({})).axon!.id;
  const good = JSON.stringify({ axonId, ...userEvent("x"), origin: "ORIGIN_USER_EVENT" });
  const prefix = Buffer.from(good.slice(0, good.indexOf('"x\\"')), "utf8");
  const rest = Buffer.from(good.slice(good.indexOf('"x\\"') + 1), "utf8");
  const invalid = Buffer.concat([prefix, Buffer.from([0x22, 0xff, 0xfe]), rest]); // "\xff\xfe...
  const reply = await connectJson("Publish", invalid);
  expect(reply.status).toBe(400);
  expect(reply.body.code).toBe("invalid_argument");
  expect(reply.body.message).toMatch(/UTF-8/);
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(0n);
  expect(lines).toContainEqual(
    expect.objectContaining({ msg: "rpc", rpc: "Publish", code: "invalid_argument" }),
  );
});

test('"0x10" (and other non-decimal strings) as a uint64 in JSON is refused with INVALID_ARGUMENT', async () => {
  h = await startHarness();
  const axonId = (await h.client.createAxon({})).axon!.id;
  await h.client.publish({ axonId, ...userEvent(1) });
  for (const loose of ["0x10", "0b1", " 1", "1_0"]) {
    const reply = await connectJson("ListEvents", JSON.stringify({ axonId, afterSequence: loose }));
    expect(reply.body.code, loose).toBe("invalid_argument");
  }
  const lone = await connectJson("Publish", JSON.stringify({ axonId, ...userEvent(1), source: "\ud800" }));
  expect(lone.body.code).toBe("invalid_argument");
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);
});
