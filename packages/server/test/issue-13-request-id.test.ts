import { Writable } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";
import { pino } from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { REQUEST_ID_HEADER, requestLogFields, ServerMetrics, storeWriteObserver } from "../src/index.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

// One request id per call, in the server's and the store's lines of that call, echoed back as
// x-request-id: a real server on a real port over a real classic-level store, logging through a
// pino logger configured as axond's (mixin: requestLogFields).

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Line = Record<string, unknown>;

async function start(apiKeys?: string[]): Promise<{ lines: Line[] }> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  const logger = pino({ level: "debug", mixin: requestLogFields }, sink);
  const metrics = new ServerMetrics();
  h = await startHarness({
    logger,
    metrics,
    storeObserver: storeWriteObserver(metrics, logger),
    ...(apiKeys && { apiKeys }),
  });
  return { lines };
}

/** The call's lines: the server's `rpc` line and the store's `appended` line, by request id. */
const linesOf = (lines: Line[], requestId: string) =>
  lines.filter((l) => l.requestId === requestId).map((l) => `${l.component ?? "server"}:${l.msg}`);

describe("request ids (issue 13)", () => {
  test.each([
    ["grpc-h2", "the gRPC fast path"],
    ["connect-h2", "Connect over HTTP/2"],
    ["connect-h1", "Connect over HTTP/1.1"],
    ["grpc-web-h1", "gRPC-Web"],
  ] as const)(
    "%s (%s): the caller's x-request-id names the server and store lines and comes back",
    async (kind, _path) => {
      const { lines } = await start();
      const client = h!.clientFor(kind);
      const axonId = (await client.createAxon({})).axon!.id;
      const requestId = `it-13-${kind}`;
      let echoed: string | null = null;
      const { sequence } = await client.publish(
        { axonId, ...userEvent({ n: 1 }) },
        {
          headers: { [REQUEST_ID_HEADER]: requestId },
          onHeader: (headers) => (echoed = headers.get(REQUEST_ID_HEADER)),
        },
      );
      expect(echoed).toBe(requestId);
      expect(linesOf(lines, requestId).sort()).toEqual(["server:rpc", "store:appended"]);
      expect(lines.find((l) => l.requestId === requestId && l.msg === "appended")).toMatchObject({
        axonId,
        firstSequence: Number(sequence),
      });
    },
  );

  test("without a usable id the server makes one per call, and echoes it", async () => {
    const { lines } = await start();
    const axonId = (await h!.client.createAxon({})).axon!.id;
    const ids: (string | null)[] = [];
    for (const sent of [undefined, "has spaces", "x".repeat(200)]) {
      await h!.client.publish(
        { axonId, ...userEvent({ n: 1 }) },
        {
          headers: sent === undefined ? {} : { [REQUEST_ID_HEADER]: sent },
          onHeader: (headers) => ids.push(headers.get(REQUEST_ID_HEADER)),
        },
      );
    }
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(linesOf(lines, id!).sort()).toEqual(["server:rpc", "store:appended"]);
    }
  });

  test("calls sharing one group commit keep their own ids; the commit itself belongs to none", async () => {
    const { lines } = await start();
    const axonId = (await h!.client.createAxon({})).axon!.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h!.client.publish({ axonId, ...userEvent({ i }) }, { headers: { [REQUEST_ID_HEADER]: `many-${i}` } }),
      ),
    );
    for (const [i, result] of results.entries()) {
      const appended = lines.filter((l) => l.requestId === `many-${i}` && l.msg === "appended");
      expect(appended).toEqual([expect.objectContaining({ firstSequence: Number(result.sequence) })]);
    }
    // Lines logged after a call ended (none here but the listening line) carry no id.
    expect(lines.filter((l) => l.msg === "axon server listening")).toEqual([
      expect.not.objectContaining({ requestId: expect.anything() }),
    ]);
  });

  test("a rejected call's info line carries its id", async () => {
    const { lines } = await start();
    let echoed: string | null = null;
    const error = await h!.client
      .getAxon(
        { id: "axn_0000000000zzzzzzzzzzzzzzzz" },
        {
          headers: { [REQUEST_ID_HEADER]: "lost-axon" },
          onHeader: (headers) => (echoed = headers.get(REQUEST_ID_HEADER)),
        },
      )
      .then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
    expect(error).toMatchObject({ code: Code.NotFound });
    expect(lines.filter((l) => l.requestId === "lost-axon")).toEqual([
      expect.objectContaining({ msg: "rpc", rpc: "GetAxon", code: "not_found", level: 30 }),
    ]);
    // A trailers-only gRPC error: the client sees the header in the error's metadata.
    expect(echoed ?? error?.metadata.get(REQUEST_ID_HEADER)).toBe("lost-axon");
  });

  test.each(["grpc-h2", "connect-h2", "connect-h1"] as const)(
    "%s: a call refused before it reaches a handler (no API key) still gets its id back",
    async (kind) => {
      await start(["the-key"]);
      const error = await h!
        .clientFor(kind)
        .listAxons({}, { headers: { [REQUEST_ID_HEADER]: "no-key" } })
        .then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
      expect(error).toMatchObject({ code: Code.Unauthenticated });
      expect(error?.metadata.get(REQUEST_ID_HEADER)).toBe("no-key");
    },
  );

  test.each(["grpc-h2", "connect-h2", "grpc-web-h1"] as const)(
    "%s Subscribe (the fast path for binary HTTP/2): its line carries the id, which comes back",
    async (kind) => {
      const { lines } = await start();
      const error = await (async () => {
        for await (const _ of h!
          .clientFor(kind)
          .subscribe(
            { axonId: "axn_0000000000zzzzzzzzzzzzzzzz" },
            { headers: { [REQUEST_ID_HEADER]: "sub-1" } },
          )) {
          // nothing arrives for a missing axon
        }
      })().then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(error).toMatchObject({ code: Code.NotFound });
      expect(error?.metadata.get(REQUEST_ID_HEADER)).toBe("sub-1");
      expect(lines.filter((l) => l.requestId === "sub-1")).toEqual([
        expect.objectContaining({ msg: "rpc", rpc: "Subscribe", code: "not_found" }),
      ]);
    },
  );
});
