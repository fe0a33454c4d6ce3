import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Origin } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectAxonClient } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";

// axond's own logger (issue 13 item 5): every line written while serving a call carries the call's
// request id — the server's rpc line and the store's append line — and the id comes back as
// x-request-id. A real axond child process at --log-level debug; its stderr is the log.

let dataDir: string;
let axond: AxondProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-request-id-"));
});
afterEach(async () => {
  await axond?.stop("SIGKILL");
  axond = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

type Line = Record<string, unknown>;

const parseLines = (stderr: string): Line[] =>
  stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);

describe("request ids in axond's log (issue 13)", () => {
  it("one id per call across the server's and the store's lines, echoed back; none on lines outside calls", async () => {
    axond = await startAxondProcess({
      args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "debug"],
    });
    const axons = connectAxonClient(axond.url);
    const axonId = (await axons.createAxon({ name: "ids" })).axon!.id;
    const event = { axonId, origin: Origin.EXTERNAL_EVENT, source: "test", eventType: "note", payload: "{}" };

    let echoed: string | null = null;
    const first = await axons.publish(event, {
      headers: { "x-request-id": "ops-call-1" },
      onHeader: (headers) => (echoed = headers.get("x-request-id")),
    });
    expect(echoed).toBe("ops-call-1");
    let generated: string | null = null;
    const second = await axons.publish(event, {
      onHeader: (headers) => (generated = headers.get("x-request-id")),
    });
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    const exit = await axond.stop("SIGTERM");
    axond = undefined;
    const lines = parseLines(exit.stderr);
    const of = (id: string | null) =>
      lines
        .filter((l) => l.requestId === id)
        .map((l) => ({ component: l.component ?? "server", msg: l.msg }));
    for (const [id, result] of [
      ["ops-call-1", first],
      [generated, second],
    ] as const) {
      expect(of(id)).toEqual(
        expect.arrayContaining([
          { component: "store", msg: "appended" },
          { component: "server", msg: "rpc" },
        ]),
      );
      expect(lines.find((l) => l.requestId === id && l.msg === "appended")).toMatchObject({
        axonId,
        firstSequence: Number(result.sequence),
        service: "axond",
      });
    }
    // Startup and shutdown are no call's.
    for (const msg of ["axond started", "axon server closed"]) {
      expect(lines.find((l) => l.msg === msg)).not.toHaveProperty("requestId");
    }
  });
});
