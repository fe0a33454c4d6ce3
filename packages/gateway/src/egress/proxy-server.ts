import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { EgressContext } from "./context.js";
import { handleRequest } from "./forward.js";
import { parserRejection } from "./parser-rejection.js";
import { handleConnect } from "./tunnel.js";

/** The proxy's HTTP server: CONNECT to the tunnel, absolute-form to the forwarder, the rest refused. */
export function createProxyServer(ctx: EgressContext): Server {
  const server = createServer({ requireHostHeader: false, insecureHTTPParser: false });
  server.on("request", (req, res) => {
    handleRequest(ctx, req, res).catch((error) => {
      ctx.log.error({ err: String(error) }, "egress proxy request failed");
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleConnect(ctx, req, socket, head).catch((error) => {
      ctx.log.error({ err: String(error) }, "egress proxy tunnel failed");
      socket.destroy();
    });
  });
  // Upgrades over absolute-form (WebSocket via plain HTTP) are not proxied; wss:// uses CONNECT.
  server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => {
    socket.end("HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  // Unparseable requests (bad request line, CR/LF or NUL in a header) never reach a handler.
  server.on("clientError", (error: Error, socket: Duplex) => {
    const rejection = parserRejection(error);
    if (rejection) {
      // Attributed to a runtime only by a credential that verifies; otherwise it stays anonymous.
      const runtimeId = ctx.credentials.verify(rejection.proxyAuthorization);
      const known = runtimeId !== undefined && ctx.runtimes.has(runtimeId);
      ctx.audit(false, {
        runtime_id: known ? runtimeId : "",
        host: "",
        port: 0,
        rule: "deny:malformed",
        reason: rejection.reason,
      });
    }
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  return server;
}
