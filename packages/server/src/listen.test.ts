import http2 from "node:http2";
import net from "node:net";
import { systemClock } from "@openaxon/core";
import { afterEach, describe, expect, test } from "vitest";
import { type DualProtocolListener, listenH2cAndHttp1, type RequestHandler } from "./listen.js";

let listener: DualProtocolListener | undefined;
afterEach(async () => {
  await listener?.close(1000, systemClock);
  listener = undefined;
});

const echoVersion: RequestHandler = (request, response) => {
  response.setHeader("content-type", "text/plain");
  response.end(`HTTP/${request.httpVersion} ${request.url}`);
};

function h2Get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({ ":path": path });
    let answered = false;
    let body = "";
    stream.on("response", () => {
      answered = true;
    });
    stream.on("data", (chunk) => {
      body += chunk;
    });
    stream.on("close", () => {
      session.close();
      if (answered) resolve(body);
      else reject(new Error("stream closed without a response"));
    });
    stream.on("error", reject);
  });
}

/** Raw TCP: what the server sends back until it closes the connection. */
function rawExchange(port: number, send: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => send(socket));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(received));
  });
}

describe("listenH2cAndHttp1", () => {
  test("serves HTTP/1.1 and HTTP/2 prior-knowledge clients on the same port", async () => {
    listener = await listenH2cAndHttp1({ host: "127.0.0.1", port: 0, handler: echoVersion });
    const viaH1 = await (await fetch(`http://127.0.0.1:${listener.port}/one`)).text();
    const viaH2 = await h2Get(listener.port, "/two");
    expect(viaH1).toBe("HTTP/1.1 /one");
    expect(viaH2).toBe("HTTP/2.0 /two");
  });

  test("a preface split across packets is still recognised as HTTP/2", async () => {
    listener = await listenH2cAndHttp1({ host: "127.0.0.1", port: 0, handler: echoVersion });
    const port = listener.port;
    const session = http2.connect(`http://127.0.0.1:${port}`, {
      createConnection: () => {
        const socket = net.connect(port, "127.0.0.1");
        // Dribble the first writes one byte at a time.
        const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
        let dribbled = false;
        socket.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
          if (dribbled || typeof chunk === "string")
            return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
          dribbled = true;
          for (const byte of chunk) write(Buffer.from([byte]));
          const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
          callback?.();
          return true;
        }) as typeof socket.write;
        return socket;
      },
    });
    const body = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ":path": "/split" });
      let text = "";
      stream.on("data", (c) => {
        text += c;
      });
      stream.on("end", () => resolve(text));
      stream.on("error", reject);
    });
    session.close();
    expect(body).toBe("HTTP/2.0 /split");
  });

  test("a connection that never speaks is dropped after the sniff timeout", async () => {
    listener = await listenH2cAndHttp1({
      host: "127.0.0.1",
      port: 0,
      handler: echoVersion,
      limits: { sniffTimeoutMs: 50 },
    });
    expect(await rawExchange(listener.port, () => {})).toBe("");
  });

  test("HTTP/1.1 header timeouts apply to handed-over connections (slow clients get 408)", async () => {
    listener = await listenH2cAndHttp1({
      host: "127.0.0.1",
      port: 0,
      handler: echoVersion,
      http1: { headersTimeout: 200, requestTimeout: 200, connectionsCheckingInterval: 50 },
    });
    const reply = await rawExchange(listener.port, (s) => s.write("GET / HTTP/1.1\r\nHost: x\r\n"));
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  test("close waits for an in-flight request, then closes every connection", async () => {
    let finish: (() => void) | undefined;
    listener = await listenH2cAndHttp1({
      host: "127.0.0.1",
      port: 0,
      handler: (request, response) => {
        if (request.url === "/slow") finish = () => response.end("done");
        else response.end("fast");
      },
    });
    const { port } = listener;
    const slowH1 = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    await expect.poll(() => finish).toBeDefined();
    const closing = listener.close(10_000, systemClock);
    listener = undefined;
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    finish!();
    expect(await slowH1).toBe("done");
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/fast`)).rejects.toThrow();
  });

  test("close cuts requests still running after the timeout", async () => {
    listener = await listenH2cAndHttp1({ host: "127.0.0.1", port: 0, handler: () => {} });
    const hung = h2Get(listener.port, "/never").catch((error: Error) => error);
    const h1Hung = fetch(`http://127.0.0.1:${listener.port}/never`).catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 50));
    await listener.close(50, systemClock);
    listener = undefined;
    expect(await hung).toBeInstanceOf(Error);
    expect(await h1Hung).toBeInstanceOf(Error);
  });
});
