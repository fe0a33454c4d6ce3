import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from "../src/http2-windows-node.js";
import { createAxonClient } from "../src/index.js";

// The SDK's default transport grants the server 1 MiB per stream and 16 MiB per connection, so a
// replay is not capped at 64 KiB in flight per round trip (HTTP/2's default windows). Observed
// from a real HTTP/2 server: what the client advertised, and what the server may send.

let server: http2.Http2Server | undefined;
const sessions = new Set<http2.ServerHttp2Session>();
afterEach(async () => {
  for (const session of sessions) session.destroy(); // the SDK keeps its connection for reuse
  sessions.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

test("the default transport grants the server 1 MiB per stream and 16 MiB per connection", async () => {
  const granted = new Promise<{ stream: number | undefined; connection: number | undefined }>((resolve) => {
    server = http2.createServer();
    server.on("session", (session) => sessions.add(session));
    server.on("stream", (stream) => {
      const session = stream.session!;
      // Once a ping round trip is done, the client's WINDOW_UPDATE (sent with its first request) is in.
      session.ping(() => {
        resolve({
          stream: session.remoteSettings.initialWindowSize,
          connection: session.state.remoteWindowSize,
        });
        stream.respond({ ":status": 404 });
        stream.end();
      });
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const port = (server!.address() as AddressInfo).port;

  const client = createAxonClient({ baseUrl: `http://127.0.0.1:${port}` });
  const call = client.axons.get("ax_windows").catch(() => {}); // any call opens the connection
  expect(await granted).toEqual({ stream: STREAM_WINDOW_BYTES, connection: CONNECTION_WINDOW_BYTES });
  expect({ STREAM_WINDOW_BYTES, CONNECTION_WINDOW_BYTES }).toEqual({
    STREAM_WINDOW_BYTES: 1024 * 1024,
    CONNECTION_WINDOW_BYTES: 16 * 1024 * 1024,
  });
  await call;
});
