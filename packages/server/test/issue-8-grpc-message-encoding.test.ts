import { fileURLToPath } from "node:url";
import { ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { specEncodedGrpcMessage } from "../src/grpc-message-encoding.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

// Found while checking issue 8's codes with @grpc/grpc-js: connect-es percent-encodes grpc-message
// with encodeURIComponent, grpc-js decodes it with decodeURI, so grpc-js users read
// "payload is 2048 bytes%3B the limit is…" and "PublishRequest.source%3A …".

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PROTO = fileURLToPath(new URL("../../../proto/openaxon/v1/axon.proto", import.meta.url));

describe("specEncodedGrpcMessage", () => {
  test("decodes to the original text under decodeURI (grpc-js) and decodeURIComponent (connect-es)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const spec = specEncodedGrpcMessage(encodeURIComponent(text));
        expect(decodeURI(spec)).toBe(text);
        expect(decodeURIComponent(spec)).toBe(text);
        // Only printable ASCII on the wire.
        expect(spec).toMatch(/^[\x20-\x7e]*$/);
      }),
    );
  });
});

test("a @grpc/grpc-js client reads error messages as written, on the fast path, off it, and from the API-key check", async () => {
  h = await startHarness({ maxPayloadBytes: 1024, apiKeys: ["key"] });
  const axonId = (await h.client.createAxon({})).axon!.id;
  const definition = protoLoader.loadSync(PROTO, { longs: String, enums: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    openaxon: {
      v1: { AxonService: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client };
    };
  };
  const client = new loaded.openaxon.v1.AxonService(
    new URL(h.server.url).host,
    grpc.credentials.createInsecure(),
  );
  const publish = (key: string | undefined, options: grpc.CallOptions) =>
    new Promise<string>((resolve) => {
      const metadata = new grpc.Metadata();
      if (key) metadata.set("authorization", `Bearer ${key}`);
      const request = {
        axonId,
        origin: "ORIGIN_USER_EVENT",
        source: "t",
        eventType: "user.message",
        payload: JSON.stringify("x".repeat(2046)),
      };
      (client as unknown as Record<string, (...args: unknown[]) => void>).publish!.call(
        client,
        request,
        metadata,
        options,
        (error: grpc.ServiceError | null) => resolve(error ? error.details : "ok"),
      );
    });
  try {
    const expected =
      "payload is 2048 bytes; the limit is 1024 bytes (1 KiB) — store large data elsewhere and publish a reference";
    expect(await publish("key", {})).toBe(expected);
    expect(await publish("key", { deadline: Date.now() + 60_000 })).toBe(expected);
    expect(await publish(undefined, {})).not.toMatch(/%[0-9A-F]{2}/);
    // connect-es clients read the same text.
    const error = await h.client
      .publish({ axonId, ...userEvent("x".repeat(2046)) })
      .then(() => undefined, ConnectError.from);
    expect(error?.rawMessage).toBe(expected);
  } finally {
    client.close();
  }
});
