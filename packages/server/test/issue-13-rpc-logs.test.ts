import { Writable } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";
import { pino } from "pino";
import { afterEach, describe, expect, test, vi } from "vitest";
import { follow, kinds } from "./support/follow.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Line = Record<string, unknown>;

function capture(level: "info" | "debug"): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
const missing = "axn_0000000000zzzzzzzzzzzzzzzz";

describe("RPC log lines (issue 13)", () => {
  test("a client that cancels or goes away is logged at debug, not info", async () => {
    const { logger, lines } = capture("debug");
    h = await startHarness({ logger });
    const axonId = (await h.client.createAxon({})).axon!.id;
    for (const kind of ["grpc-h2", "connect-h2", "connect-h1"] as const) {
      const sub = follow(h.clientFor(kind), { axonId });
      await sub.waitFor((x) => kinds(x).includes("caughtUp"));
      await sub.cancel();
    }
    await vi.waitFor(() => expect(lines.filter((l) => l.rpc === "Subscribe")).toHaveLength(3));
    expect(lines.filter((l) => l.rpc === "Subscribe")).toEqual(
      Array(3).fill(expect.objectContaining({ code: "canceled", level: 20 })),
    );
    expect(lines.filter((l) => l.msg === "rpc" && (l.level as number) >= 30)).toEqual([]);
  });

  test("a rejected RPC logs its code, message, method, axon id and peer — on Connect and the gRPC fast path", async () => {
    const { logger, lines } = capture("info");
    h = await startHarness({ logger, apiKeys: ["k"] });
    const connect = h.clientFor("connect-h2", "k");
    expect(await failure(connect.getAxon({ id: missing }))).toMatchObject({ code: Code.NotFound });
    expect(await failure(h.client.publish({ axonId: missing, ...userEvent({ n: 1 }) }))).toMatchObject({
      code: Code.NotFound,
    });
    const axonId = (await h.client.createAxon({})).axon!.id;
    expect(
      await failure(connect.publish({ axonId, ...userEvent({ n: 1 }), expectedHead: 7n })),
    ).toMatchObject({ code: Code.FailedPrecondition });
    expect(await failure(h.clientFor("connect-h1", "nope").listAxons({}))).toMatchObject({
      code: Code.Unauthenticated,
    });
    const rpcs = lines.filter((l) => l.msg === "rpc");
    const peer = expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/);
    expect(rpcs).toEqual([
      expect.objectContaining({
        level: 30,
        rpc: "GetAxon",
        code: "not_found",
        message: expect.stringContaining(missing),
        axonId: missing,
        peer,
      }),
      expect.objectContaining({ rpc: "Publish", code: "not_found", axonId: missing, peer }),
      expect.objectContaining({
        rpc: "Publish",
        code: "failed_precondition",
        message: expect.stringMatching(/expected_head is 7/),
        axonId,
        peer,
      }),
      expect.objectContaining({
        rpc: "ListAxons",
        code: "unauthenticated",
        message: expect.any(String),
        peer,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('"nope"');
  });
});
