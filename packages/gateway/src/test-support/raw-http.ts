import { connect, type Socket } from "node:net";

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly raw: string;
}

/** Sends raw bytes to 127.0.0.1:port and reads until the server closes (send Connection: close). */
export function rawRequest(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(parseResponse(Buffer.concat(chunks).toString("latin1"))));
    socket.write(text, "latin1");
  });
}

export function parseResponse(raw: string): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  const head = end < 0 ? raw : raw.slice(0, end);
  const [statusLine, ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? 0),
    headers,
    body: end < 0 ? "" : raw.slice(end + 4),
    raw,
  };
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/**
 * Opens a CONNECT tunnel through the proxy. Resolves with the proxy's status and, on 200, the
 * socket now connected end to end.
 */
export function openTunnel(
  proxyPort: number,
  authority: string,
  proxyAuthorization: string | undefined,
  extraHeaders = "",
): Promise<{ status: number; socket: Socket; response: RawResponse }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: proxyPort });
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const text = buffered.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      const response = parseResponse(text);
      if (response.status === 200) {
        socket.off("data", onData);
        socket.off("close", onClose);
        resolve({ status: 200, socket, response });
      }
    };
    const onClose = () => {
      const response = parseResponse(buffered.toString("latin1"));
      resolve({ status: response.status, socket, response });
    };
    socket.on("data", onData);
    socket.on("close", onClose);
    socket.on("error", reject);
    const auth = proxyAuthorization ? `Proxy-Authorization: ${proxyAuthorization}\r\n` : "";
    socket.write(
      `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}${extraHeaders}\r\n`,
      "latin1",
    );
  });
}

/** Writes `text` into a tunnel and resolves with the first `length` bytes that come back. */
export function roundTrip(socket: Socket, text: string, length = text.length): Promise<string> {
  return new Promise((resolve) => {
    let received = "";
    const onData = (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.length >= length) {
        socket.off("data", onData);
        resolve(received);
      }
    };
    socket.on("data", onData);
    socket.write(text);
  });
}
