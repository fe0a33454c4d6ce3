import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Clock, sleep, systemClock } from "@openaxon/core";
import type { RecordedRequest, ResponsesRequestBody } from "./recorded-request.js";
import { type FakeReply, textReply } from "./replies.js";
import { formatSse, type ResponseContext, renderStream } from "./response-events.js";

/** A reply, or a function choosing one from the request (e.g. to echo what the model was sent). */
export type ReplyScript = FakeReply | ((request: RecordedRequest) => FakeReply | Promise<FakeReply>);

export interface FakeOpenAIOptions {
  /** When set, requests without `Authorization: Bearer <key>` get a 401. */
  readonly requiredApiKey?: string;
  /** Answer once the queue is empty. Default: text "OK". */
  readonly defaultReply?: ReplyScript;
  /** Time source for the pauses of slow replies. */
  readonly clock?: Clock;
}

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) speaking enough of the OpenAI Responses API for
 * Codex: `POST /v1/responses` streamed as SSE from scripted replies, every request recorded.
 */
export class FakeOpenAIServer {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ReplyScript[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly shutdown = new AbortController();
  private readonly clock: Clock;
  private counter = 0;

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`; clients take `${url}/v1` as their base URL. */
    readonly url: string,
    private readonly options: FakeOpenAIOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  static async start(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
    let instance: FakeOpenAIServer | undefined;
    const server = createServer((req, res) => {
      instance!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, "server_error", String(error));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new FakeOpenAIServer(server, `http://127.0.0.1:${port}`, options);
    return instance;
  }

  /** The OpenAI-style base URL (`…/v1`). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  /** Queues replies for the next model requests, in order. */
  enqueue(...replies: ReplyScript[]): void {
    this.queue.push(...replies);
  }

  /** The model requests (`POST /v1/responses`), in order. */
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

  /** Resolves once `count` model requests have arrived. */
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
    const base = { method: req.method ?? "GET", path, query, headers, body: parseJson(raw) };

    const key = this.options.requiredApiKey;
    if (key !== undefined && headers.authorization !== `Bearer ${key}`) {
      this.record({ ...base, kind: "rejected" });
      sendError(res, 401, "invalid_request_error", "Incorrect API key provided.", "invalid_api_key");
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      this.record({ ...base, kind: "models" });
      sendJson(res, 200, { object: "list", data: [] });
      return;
    }
    if (req.method === "POST" && path === "/v1/responses") {
      const request: RecordedRequest = { ...base, kind: "main" };
      this.record(request);
      if (!base.body || base.body.input === undefined) {
        sendError(res, 400, "invalid_request_error", "Missing required parameter: 'input'.");
        return;
      }
      const script = this.queue.shift() ?? this.options.defaultReply ?? textReply("OK");
      const reply = typeof script === "function" ? await script(request) : script;
      await this.answer(request, raw, reply, res);
      return;
    }
    this.record({ ...base, kind: "not_found" });
    sendError(res, 404, "invalid_request_error", `Not found: ${req.method} ${path}`);
  }

  private async answer(request: RecordedRequest, raw: string, reply: FakeReply, res: ServerResponse) {
    if (reply.type === "error") {
      sendError(res, reply.status, reply.errorType, reply.message);
      return;
    }
    this.counter += 1;
    const context: ResponseContext = {
      responseId: `resp_fake${this.counter}`,
      model: request.body?.model ?? "gpt-fake",
      inputTokens: Math.max(1, Math.ceil(raw.length / 4)),
    };
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-request-id": `req_fake_${this.counter}`,
    });
    // Stop streaming once the client hangs up (an interrupted turn drops its request).
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

function parseJson(raw: string): ResponsesRequestBody | undefined {
  if (raw.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null ? (value as ResponsesRequestBody) : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** The API's error envelope: `{error: {message, type, param, code}}`. */
function sendError(res: ServerResponse, status: number, type: string, message: string, code?: string): void {
  sendJson(res, status, { error: { message, type, param: null, code: code ?? null } });
}
