import http2 from "node:http2";
import { afterEach, expect, test } from "vitest";
import { resolveTransportLimits } from "../src/transport-limits.js";
import { type Harness, startHarness } from "./support/harness.js";

// HTTP/2 starts every stream and every connection with a 64 KiB receive window; a server that
// keeps it makes a client wait a round trip per 64 KiB it sends (PublishBatch of 100 events, a
// pipelined Append session). axond grants 1 MiB per stream and 4 MiB per connection by default.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A plain HTTP/2 client once the server's SETTINGS and its connection WINDOW_UPDATE are in. */
async function windowsGranted(port: number): Promise<{ stream: number; connection: number }> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await new Promise<void>((resolve, reject) => {
      session.once("remoteSettings", () => resolve());
      session.once("error", reject);
    });
    // The connection's window comes in a WINDOW_UPDATE after SETTINGS; a ping's round trip
    // (answered after it) guarantees it has been read.
    await new Promise<void>((resolve, reject) =>
      session.ping((error) => (error ? reject(error) : resolve())),
    );
    return {
      stream: session.remoteSettings.initialWindowSize ?? 65_535,
      connection: session.state.remoteWindowSize ?? 65_535,
    };
  } finally {
    session.destroy();
  }
}

test("a default server grants 1 MiB per stream and 4 MiB per connection", async () => {
  h = await startHarness();
  expect(await windowsGranted(h.server.port)).toEqual({ stream: 1024 * 1024, connection: 4 * 1024 * 1024 });
});

test("the windows follow the transport limits", async () => {
  h = await startHarness({ limits: { streamWindowBytes: 256 * 1024, connectionWindowBytes: 512 * 1024 } });
  expect(await windowsGranted(h.server.port)).toEqual({ stream: 256 * 1024, connection: 512 * 1024 });
});

test("a window beyond HTTP/2's 31 bits is refused with the limit's name", () => {
  expect(() => resolveTransportLimits({ connectionWindowBytes: 2 ** 31 })).toThrow(
    /connectionWindowBytes must be at most 2147483647/,
  );
  expect(() => resolveTransportLimits({ streamWindowBytes: 0 })).toThrow(
    /streamWindowBytes must be a positive/,
  );
});
