import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

/** A request Codex sends us (approvals); answered with `respond`. */
export interface IncomingRequest {
  readonly id: number | string;
  readonly method: string;
  readonly params: unknown;
}

export interface JsonRpcHandlers {
  readonly onNotification: (method: string, params: unknown) => void;
  readonly onRequest: (request: IncomingRequest) => void;
  /** A line that is not JSON-RPC (Codex logs go to stderr, so this is unexpected). */
  readonly onJunk: (line: string) => void;
}

export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`Codex refused ${method}: ${message} (code ${code})`);
  }
}

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * JSON-RPC 2.0 over newline-delimited JSON, as `codex app-server` speaks it on stdio (it leaves out
 * the `"jsonrpc"` member; so do we). Requests both ways, notifications both ways.
 */
export class JsonRpcConnection {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedWith: Error | undefined;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly handlers: JsonRpcHandlers,
  ) {
    createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => this.onLine(line));
  }

  request<T>(method: string, params: unknown): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject });
      this.write({ id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    this.write(params === undefined ? { method } : { method, params });
  }

  respond(id: number | string, result: unknown): void {
    this.write({ id, result });
  }

  respondError(id: number | string, code: number, message: string): void {
    this.write({ id, error: { code, message } });
  }

  /** Rejects every pending request (and later ones) with `error`: the process is gone. */
  close(error: Error): void {
    this.closedWith ??= error;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new Error(`${error.message} (while waiting for ${pending.method})`));
    }
  }

  private write(message: Record<string, unknown>): void {
    if (this.closedWith) return;
    this.output.write(`${JSON.stringify(message)}\n`);
  }

  private onLine(line: string): void {
    if (line.trim() === "") return;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.handlers.onJunk(line);
      return;
    }
    const { id, method } = message;
    if (typeof method === "string") {
      if (id === undefined) this.handlers.onNotification(method, message.params);
      else this.handlers.onRequest({ id: id as number | string, method, params: message.params });
      return;
    }
    const pending = typeof id === "number" ? this.pending.get(id) : undefined;
    if (!pending) {
      this.handlers.onJunk(line);
      return;
    }
    this.pending.delete(id as number);
    const error = message.error as { code?: number; message?: string } | undefined;
    if (error)
      pending.reject(new JsonRpcError(pending.method, error.code ?? 0, error.message ?? "unknown error"));
    else pending.resolve(message.result);
  }
}
