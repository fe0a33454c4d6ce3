import { chmod, lstat, unlink } from "node:fs/promises";
import type { Server as HttpServer } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";

export interface ListenOptions {
  /** TCP host; default 127.0.0.1. Agents reach the servers on loopback only. */
  readonly host?: string;
  /** TCP port; default 0 (ephemeral). */
  readonly port?: number;
  /**
   * Also listen on this Unix socket (mode 0600), for bridging into a sandbox whose network
   * namespace has no route to the host's loopback.
   */
  readonly unixSocketPath?: string;
}

export interface BoundListeners {
  readonly host: string;
  readonly port: number;
  readonly unixSocketPath?: string;
  /** Stops accepting and destroys every accepted connection. */
  close(): Promise<void>;
}

/**
 * Feeds one HTTP server from a TCP listener and, optionally, a Unix socket listener, so the same
 * handlers (and the same per-runtime state) serve both.
 */
export async function listenHttp(server: HttpServer, options: ListenOptions): Promise<BoundListeners> {
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    server.emit("connection", socket);
  };
  const servers: Server[] = [];
  const host = options.host ?? "127.0.0.1";
  // Half-open like http.Server's own listener, so a client's FIN does not cut off the response.
  const tcp = createServer({ allowHalfOpen: true }, accept);
  await listenOn(tcp, () => tcp.listen({ host, port: options.port ?? 0 }));
  servers.push(tcp);
  if (options.unixSocketPath) {
    const path = options.unixSocketPath;
    await removeStaleSocket(path);
    const unix = createServer({ allowHalfOpen: true }, accept);
    await listenOn(unix, () => unix.listen(path));
    await chmod(path, 0o600);
    servers.push(unix);
  }
  return {
    host,
    port: (tcp.address() as AddressInfo).port,
    unixSocketPath: options.unixSocketPath,
    async close() {
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
    },
  };
}

function listenOn(server: Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      resolve();
    });
    start();
  });
}

// A socket file left by a crashed process would make listen fail with EADDRINUSE; anything that
// is not a socket is left alone (and listen then fails loudly).
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
