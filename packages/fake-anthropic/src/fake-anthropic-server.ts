import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Clock, sleep, systemClock } from "@openaxon/core";
import { formatSse, type MessageContext, renderMessage, renderStream } from "./message-events.js";
import type { MessagesRequestBody, RecordedRequest } from "./recorded-request.js";
import { type FakeReply, textReply } from "./replies.js";

/** A reply, or a function choosing one from the request (e.g. to echo what the model was sent). */
export type ReplyScript = FakeReply | ((request: RecordedRequest) => FakeReply | Promise<FakeReply>);

export interface FakeAnthropicOptions {
  /** When set, requests without this key (`x-api-key` or `Authorization: Bearer`) get a 401. */
  readonly requiredApiKey?: string;
  /** Answer for main requests once the queue is empty. Default: text "OK". */
  readonly defaultReply?: ReplyScript;
  /** Answer for side requests (title generation, quota probes, …). Default: text "ok". */
  readonly sideReply?: ReplyScript;
  /**
   * Which requests are the conversation. Default: those offering tools — Claude Code's agent loop
   * always sends its tool list, its side requests (titles, quota probes) send none.
   */
  readonly isMainRequest?: (body: MessagesRequestBody) => boolean;
  /** Time source for the pauses of slow replies. */
  readonly clock?: Clock;
}

const offersTools = (body: MessagesRequestBody) => Array.isArray(body.tools) && body.tools.length > 0;

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) speaking enough of the Anthropic Messages API
 * for Claude Code: scripted replies, every request recorded.
 */
export class FakeAnthropicServer {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ReplyScript[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly shutdown = new AbortController();
  private readonly clock: Clock;
  private counter = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeAnthropicOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  static async start(options: FakeAnthropicOptions = {}): Promise<FakeAnthropicServer> {
    let instance: FakeAnthropicServer | undefined;
    const server = createServer((req, res) => {
      instance!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, "api_error", String(error));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new FakeAnthropicServer(server, `http://127.0.0.1:${port}`, options);
    return instance;
  }

  /** Queues replies for the next main requests, in order. */
  enqueue(...replies: ReplyScript[]): void {
    this.queue.push(...replies);
  }

  /** The conversation requests (what the agent loop sent the model), in order. */
  mainRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === "main");
  }

  /** Resolves with the first recorded request matching `predicate` (already received or future). */
  async waitForRequest(predicate: (request: RecordedRequest) => boolean): Promise<RecordedRequest> {
    for (;;) {
      const found = this.requests.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** Resolves once `count` main requests have arrived. */
  async waitForMainRequests(count: number): Promise<RecordedRequest[]> {
    await this.waitForRequest(() => this.mainRequests().length >= count);
    return this.mainRequests();
  }

  /** Closes the listener and every open connection, cutting off streams that are still pausing. */
  async close(): Promise<void> {
    this.shutdown.abort(new Error("fake server closed"));
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private record(request: RecordedRequest): void {
    this.requests.push(request);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = "/", query = ""] = (req.url ?? "/").split("?", 2);
    const raw = await readBody(req);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
    );
    const body = parseJson(raw);
    const base = { method: req.method ?? "GET", path, query, headers, body };

    if (this.options.requiredApiKey !== undefined && !this.authorized(headers)) {
      this.record({ ...base, kind: "rejected" });
      sendError(res, 401, "authentication_error", "invalid x-api-key");
      return;
    }
    if (req.method === "POST" && path === "/v1/messages/count_tokens") {
      this.record({ ...base, kind: "count_tokens" });
      sendJson(res, 200, { input_tokens: estimateTokens(raw) });
      return;
    }
    if (req.method === "POST" && path === "/v1/messages") {
      if (!body || !Array.isArray(body.messages)) {
        this.record({ ...base, kind: "side" });
        sendError(res, 400, "invalid_request_error", "messages: field required");
        return;
      }
      const isMain = (this.options.isMainRequest ?? offersTools)(body);
      const request: RecordedRequest = { ...base, kind: isMain ? "main" : "side" };
      this.record(request);
      const script = isMain
        ? (this.queue.shift() ?? this.options.defaultReply ?? textReply("OK"))
        : (this.options.sideReply ?? textReply("ok"));
      const reply = typeof script === "function" ? await script(request) : script;
      await this.answer(request, raw, reply, res);
      return;
    }
    this.record({ ...base, kind: "not_found" });
    sendError(res, 404, "not_found_error", `Not found: ${req.method} ${path}`);
  }

  private authorized(headers: Record<string, string>): boolean {
    const key = this.options.requiredApiKey;
    return headers["x-api-key"] === key || headers.authorization === `Bearer ${key}`;
  }

  private async answer(request: RecordedRequest, raw: string, reply: FakeReply, res: ServerResponse) {
    if (reply.type === "error") {
      sendError(res, reply.status, reply.errorType, reply.message);
      return;
    }
    this.counter += 1;
    const context: MessageContext = {
      messageId: `msg_fake_${this.counter}`,
      toolUseId: `toolu_fake_${this.counter}`,
      model: request.body?.model ?? "claude-fake",
      inputTokens: estimateTokens(raw),
    };
    if (!request.body?.stream) {
      sendJson(res, 200, renderMessage(reply, context));
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "request-id": `req_fake_${this.counter}`,
    });
    // Stop streaming once the client hangs up (a cancelled turn aborts its request).
    const gone = new AbortController();
    res.once("close", () => gone.abort());
    const signal = AbortSignal.any([gone.signal, this.shutdown.signal]);
    for (const step of renderStream(reply, context)) {
      if (signal.aborted) return;
      if (step.kind === "pause") {
        await sleep(this.clock, step.ms, signal).catch(() => undefined);
      } else {
        res.write(formatSse(step));
      }
    }
    res.end();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(raw: string): MessagesRequestBody | undefined {
  if (raw.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null ? (value as MessagesRequestBody) : undefined;
  } catch {
    return undefined;
  }
}

// Roughly four characters a token; Claude Code only uses the number for context bookkeeping.
function estimateTokens(raw: string): number {
  return Math.max(1, Math.ceil(raw.length / 4));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: "error", error: { type, message } });
}
