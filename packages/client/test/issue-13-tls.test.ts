import { rm } from "node:fs/promises";
import { makeSelfSignedCert, type SelfSignedCert } from "@openaxon/server/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createAxonClient, isTlsMismatch } from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

let cert: SelfSignedCert;
let secure: RealServer;
let plain: RealServer;

beforeAll(async () => {
  cert = await makeSelfSignedCert();
  secure = await startRealServer({ tls: { cert: cert.cert, key: cert.key } });
  plain = await startRealServer();
});

afterAll(async () => {
  await secure?.close();
  await plain?.close();
  await rm(cert.dir, { recursive: true, force: true });
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error as ConnectError,
  );

describe("https:// (issue 13)", () => {
  it("publishes, reads and follows over TLS with a given CA, producer (HTTP/2 Append session) included", async () => {
    expect(secure.url).toMatch(/^https:/);
    const client = createAxonClient({ baseUrl: secure.url, ca: cert.cert, source: "test" });
    const { id } = await client.axons.create();
    const axon = client.axon(id);
    await Promise.all([1, 2, 3].map((n) => axon.publish({ eventType: "e", payload: { n } })));
    const seen: number[] = [];
    const abort = new AbortController();
    for await (const event of axon.subscribe({ signal: abort.signal })) {
      seen.push(Number(event.sequence));
      if (seen.length === 3) abort.abort();
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it("without the CA the certificate is refused (and that is not called a scheme mismatch)", async () => {
    const client = createAxonClient({ baseUrl: secure.url });
    const error = await failure(client.axons.listPage());
    expect(isTlsMismatch(error)).toBe(false);
    expect(String(error.cause ?? error.message)).toMatch(/self[- ]signed|certificate/i);
  });

  it("https:// to a cleartext server says to use http://", async () => {
    const httpsUrl = plain.url.replace("http:", "https:");
    const error = await failure(createAxonClient({ baseUrl: httpsUrl }).axons.listPage());
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(
      `${httpsUrl} answered in cleartext, not TLS: use ${plain.url} (or start axond with --tls-cert and --tls-key)`,
    );
    expect(isTlsMismatch(error)).toBe(true);
  });

  it("http:// to a TLS server says to use https://", async () => {
    const httpUrl = secure.url.replace("https:", "http:");
    const error = await failure(createAxonClient({ baseUrl: httpUrl }).axons.listPage());
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(`${httpUrl} is served over TLS: use ${secure.url}`);
    expect(isTlsMismatch(error)).toBe(true);
  });

  it("a server that is down is still a connection error, not a mismatch", async () => {
    const down = createAxonClient({ baseUrl: "http://127.0.0.1:9" });
    const error = await failure(down.axons.listPage());
    expect(isTlsMismatch(error)).toBe(false);
    expect(error.code).toBe(Code.Unavailable);
  });
});
