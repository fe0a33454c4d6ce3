import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  type StreamResponse,
  type Transport,
  type UnaryResponse,
} from "@connectrpc/connect";
import type { Action } from "./action.js";

/** The network's story of what happened, for the trace. */
export interface NetworkObserver {
  trace(line: string): void;
  /** A disconnect dropped frames the server had sent but the client had not yet received. */
  onDroppedInFlight(client: string, frames: number): void;
  /**
   * The server answered: a unary response or a stream frame leaves it (not yet received). The
   * moment a read is served, which a delayed delivery would blur.
   */
  onServed?(client: string, message: unknown): void;
}

/** Names a frame for the trace (the network itself does not know message shapes). */
export type FrameDescriber = (message: unknown) => string;

type HeaderInit = ConstructorParameters<typeof Headers>[0];

const unavailable = (why: string) => new ConnectError(why, Code.Unavailable);

type UnaryState =
  | { readonly kind: "request" }
  | { readonly kind: "processing"; readonly epoch: number }
  | { readonly kind: "response"; readonly outcome: { ok: unknown } | { error: unknown } }
  | { readonly kind: "done" };

interface UnaryCall {
  readonly id: number;
  readonly client: string;
  readonly label: string;
  state: UnaryState;
  readonly send: (server: Transport, signal: AbortSignal) => Promise<unknown>;
  readonly resolve: (value: never) => void;
  readonly reject: (error: unknown) => void;
}

type Inbound = { readonly frame: unknown } | { readonly end: unknown };

interface SimStream {
  readonly id: number;
  readonly client: string;
  readonly label: string;
  state: "opening" | "open" | "closed";
  epoch: number;
  readonly open: (server: Transport, signal: AbortSignal) => Promise<StreamResponse>;
  readonly server: AbortController;
  /** Sent by the server, not yet received by the client (at most `window` frames). */
  inbound: Inbound[];
  /** Received by the client, not yet consumed by its iterator. */
  readonly received: Inbound[];
  wakeClient: (() => void) | undefined;
  wakePump: (() => void) | undefined;
}

/**
 * The simulated network between clients and the current server process. Clients get a Connect
 * `Transport` (`transportFor`); the server side is Connect's in-process router transport. Nothing
 * crosses the wire on its own: every request, response and stream frame waits as an `Action` until
 * the scheduler delivers it, so the scheduler decides what races with what.
 *
 * - Unary: request → (delivered) server handles it → response → (delivered) client. A crash or
 *   restart of the server in between fails the call with UNAVAILABLE: its outcome is unknown.
 * - Streams stay FIFO; different streams interleave freely. The server may run ahead of the
 *   client by at most `window` frames (a TCP window); past that it blocks, so a slow subscriber
 *   backs up into the server (where `fell_behind` lives).
 * - `cut(stream)` is a disconnect: frames on the wire are lost, the server sees the client go,
 *   and the client's stream ends with UNAVAILABLE at once.
 */
export class SimNetwork {
  private server: Transport | undefined;
  private epoch = 0;
  private nextId = 1;
  private readonly calls: UnaryCall[] = [];
  private readonly streams: SimStream[] = [];

  constructor(
    private readonly observer: NetworkObserver,
    private readonly describe: FrameDescriber,
    private readonly window: number,
  ) {}

  /** A server process came up (its router transport) or went away (`undefined`). */
  setServer(server: Transport | undefined): void {
    this.server = server;
    this.epoch++;
  }

  /**
   * The server process died: every call it was handling and every stream it was serving is reset.
   * Requests still on their way stay pending (they reach whatever listens when delivered).
   */
  serverCrashed(): void {
    const epoch = this.epoch;
    this.setServer(undefined);
    for (const call of [...this.calls]) {
      if (call.state.kind === "processing" || call.state.kind === "response") {
        this.observer.trace(`reset ${call.label} (server crashed) → ${call.client}`);
        this.finish(call, { error: unavailable("connection reset: server crashed") });
      }
    }
    for (const stream of [...this.streams]) {
      if (stream.state === "open" && stream.epoch === epoch) this.reset(stream, "server crashed", false);
    }
  }

  /** Disconnects one stream. Returns false if it was already closed. */
  cut(streamId: number): boolean {
    const stream = this.streams.find((s) => s.id === streamId);
    if (!stream || stream.state === "closed") return false;
    this.reset(stream, "disconnected", true);
    return true;
  }

  /** Disconnects every stream of one client. Returns how many were open. */
  cutClient(client: string): number {
    let cut = 0;
    for (const stream of [...this.streams]) if (stream.client === client && this.cut(stream.id)) cut++;
    return cut;
  }

  /** Unary responses the server has sent that the client has not received yet. */
  get responsesOnWire(): number {
    return this.calls.filter((c) => c.state.kind === "response").length;
  }

  /** Open streams (opening or open). */
  get openStreams(): number {
    return this.streams.filter((s) => s.state !== "closed").length;
  }

  /** Everything waiting on the wire, in a stable order: unary calls, then streams, by age. */
  actions(): Action[] {
    const out: Action[] = [];
    for (const call of this.calls) {
      if (call.state.kind === "request") {
        out.push({ label: `deliver request ${call.label}`, run: () => this.deliverRequest(call) });
      } else if (call.state.kind === "response") {
        out.push({ label: `deliver response ${call.label}`, run: () => this.deliverResponse(call) });
      }
    }
    for (const stream of this.streams) {
      if (stream.state === "opening") {
        out.push({ label: `open ${stream.label}`, run: () => this.deliverOpen(stream) });
      } else if (stream.state === "open" && stream.inbound.length > 0) {
        out.push({ label: `frame ${stream.label}`, run: () => this.deliverFrame(stream) });
      }
    }
    return out;
  }

  /** The client side of the network for one client. */
  transportFor(client: string): Transport {
    return {
      unary: <I extends DescMessage, O extends DescMessage>(
        method: DescMethodUnary<I, O>,
        signal: AbortSignal | undefined,
        _timeoutMs: number | undefined,
        header: HeaderInit | undefined,
        input: MessageInitShape<I>,
        contextValues?: ContextValues,
      ): Promise<UnaryResponse<I, O>> =>
        new Promise((resolve, reject) => {
          const call: UnaryCall = {
            id: this.nextId++,
            client,
            label: `${method.localName}#${this.nextId - 1}`,
            state: { kind: "request" },
            send: (server, serverSignal) =>
              server.unary(method, serverSignal, undefined, header, input, contextValues),
            resolve: resolve as (value: never) => void,
            reject,
          };
          signal?.addEventListener("abort", () => this.finish(call, { error: signal.reason }));
          this.calls.push(call);
        }),
      stream: async <I extends DescMessage, O extends DescMessage>(
        method: DescMethodStreaming<I, O>,
        signal: AbortSignal | undefined,
        _timeoutMs: number | undefined,
        header: HeaderInit | undefined,
        input: AsyncIterable<MessageInitShape<I>>,
        contextValues?: ContextValues,
      ): Promise<StreamResponse<I, O>> => {
        const id = this.nextId++;
        const stream: SimStream = {
          id,
          client,
          label: `${method.localName}#${id}`,
          state: "opening",
          epoch: 0,
          open: (server, serverSignal) =>
            server.stream(
              method,
              serverSignal,
              undefined,
              header,
              input,
              contextValues,
            ) as Promise<StreamResponse>,
          server: new AbortController(),
          inbound: [],
          received: [],
          wakeClient: undefined,
          wakePump: undefined,
        };
        this.streams.push(stream);
        signal?.addEventListener("abort", () => {
          if (stream.state !== "closed") this.close(stream, { end: signal.reason }, true);
        });
        return {
          stream: true,
          service: method.parent,
          method,
          header: new Headers(),
          trailer: new Headers(),
          message: this.clientSide(stream) as AsyncIterable<never>,
        };
      },
    };
  }

  /** The id a just-created stream got (streams are numbered in creation order). */
  lastStreamId(): number {
    return this.streams[this.streams.length - 1]?.id ?? 0;
  }

  private deliverRequest(call: UnaryCall): void {
    const server = this.server;
    if (!server) {
      this.observer.trace(`refused ${call.label} (server down) → ${call.client}`);
      this.finish(call, { error: unavailable("connection refused: server down") });
      return;
    }
    const epoch = this.epoch;
    call.state = { kind: "processing", epoch };
    this.observer.trace(`request ${call.label} → server`);
    call.send(server, new AbortController().signal).then(
      (ok) => {
        if (call.state.kind === "processing" && call.state.epoch === epoch)
          this.observer.onServed?.(call.client, (ok as UnaryResponse).message);
        this.responded(call, epoch, { ok });
      },
      (error: unknown) => this.responded(call, epoch, { error }),
    );
  }

  private responded(call: UnaryCall, epoch: number, outcome: { ok: unknown } | { error: unknown }): void {
    if (call.state.kind !== "processing" || call.state.epoch !== epoch) return;
    call.state = { kind: "response", outcome };
  }

  private deliverResponse(call: UnaryCall): void {
    if (call.state.kind !== "response") return;
    this.finish(call, call.state.outcome);
  }

  private finish(call: UnaryCall, outcome: { ok: unknown } | { error: unknown }): void {
    if (call.state.kind === "done") return;
    call.state = { kind: "done" };
    this.calls.splice(this.calls.indexOf(call), 1);
    if ("ok" in outcome) call.resolve(outcome.ok as never);
    else call.reject(outcome.error);
  }

  private deliverOpen(stream: SimStream): void {
    const server = this.server;
    if (!server) {
      this.observer.trace(`refused ${stream.label} (server down) → ${stream.client}`);
      this.close(stream, { end: unavailable("connection refused: server down") }, false);
      return;
    }
    stream.state = "open";
    stream.epoch = this.epoch;
    this.observer.trace(`open ${stream.label} → server`);
    void this.pump(stream, server);
  }

  /** Reads the server's frames onto the wire, never more than `window` ahead of the client. */
  private async pump(stream: SimStream, server: Transport): Promise<void> {
    let iterator: AsyncIterator<unknown>;
    try {
      const response = await stream.open(server, stream.server.signal);
      iterator = response.message[Symbol.asyncIterator]();
    } catch (error) {
      if (stream.state === "open") stream.inbound.push({ end: error });
      return;
    }
    for (;;) {
      while (stream.state === "open" && stream.inbound.length >= this.window) {
        await new Promise<void>((resolve) => {
          stream.wakePump = resolve;
        });
      }
      if (stream.state !== "open") return;
      let step: IteratorResult<unknown>;
      try {
        step = await iterator.next();
      } catch (error) {
        if (stream.state === "open") stream.inbound.push({ end: error });
        return;
      }
      if (stream.state !== "open") return;
      if (step.done) {
        stream.inbound.push({ end: undefined });
        return;
      }
      this.observer.onServed?.(stream.client, step.value);
      stream.inbound.push({ frame: step.value });
    }
  }

  private deliverFrame(stream: SimStream): void {
    const item = stream.inbound.shift();
    if (!item) return;
    if ("frame" in item) {
      this.observer.trace(`deliver ${this.describe(item.frame)} → ${stream.client}`);
      stream.received.push(item);
      stream.wakeClient?.();
      stream.wakePump?.();
    } else {
      const how = item.end === undefined ? "ok" : ConnectError.from(item.end).code;
      this.observer.trace(`end ${stream.label} (${Code[how as Code] ?? how}) → ${stream.client}`);
      this.close(stream, item, false);
    }
  }

  private reset(stream: SimStream, why: string, abortServer: boolean): void {
    const onWire = stream.inbound.filter((i) => "frame" in i).length;
    if (onWire > 0) this.observer.onDroppedInFlight(stream.client, onWire);
    this.observer.trace(`${why} ${stream.label}, ${onWire} frame(s) lost → ${stream.client}`);
    this.close(stream, { end: unavailable(`connection reset: ${why}`) }, abortServer);
  }

  private close(stream: SimStream, end: Inbound, abortServer: boolean): void {
    if (stream.state === "closed") return;
    stream.state = "closed";
    stream.inbound = [];
    stream.received.push(end);
    if (abortServer) stream.server.abort();
    stream.wakeClient?.();
    stream.wakePump?.();
    this.streams.splice(this.streams.indexOf(stream), 1);
  }

  private async *clientSide(stream: SimStream): AsyncGenerator<unknown> {
    for (;;) {
      const item = stream.received.shift();
      if (!item) {
        await new Promise<void>((resolve) => {
          stream.wakeClient = resolve;
        });
        stream.wakeClient = undefined;
        continue;
      }
      if ("frame" in item) {
        yield item.frame;
        continue;
      }
      if (item.end !== undefined) throw ConnectError.from(item.end);
      return;
    }
  }
}
