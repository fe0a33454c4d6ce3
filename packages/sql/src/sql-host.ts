import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SqlHostEvents, SqlHostPort, SqlHostRequest } from "./host-protocol.js";
import { SqlInterruptedError, SqlUnavailableError } from "./sql-errors.js";
import type { SqlFailure } from "./sql-value.js";

export const SQL_HOST_SCRIPT = fileURLToPath(new URL("../host/sql-host.mjs", import.meta.url));

interface Pending {
  readonly message: SqlHostRequest & { readonly id?: number };
  readonly timeoutMs: number | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One SQL host child process, used one request at a time so a time limit measures only the
 * statement itself. Past the limit the child is killed (SIGKILL: the statement cannot be reached
 * otherwise while it runs) and started again on the next request.
 */
export class SqlHost implements SqlHostPort {
  private child: ChildProcess | undefined;
  private readonly queue: Pending[] = [];
  private current: (Pending & { timer?: NodeJS.Timeout }) | undefined;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly maxOpenDatabases: number,
    private readonly events: SqlHostEvents,
    /** Shown in the child's command line only, so an operator (or a test) can tell whose it is. */
    private readonly label: string,
  ) {}

  /** Sends one request; with `timeoutMs`, past it the child is killed and SqlInterruptedError thrown. */
  request<T>(message: SqlHostRequest, timeoutMs?: number): Promise<T> {
    if (this.closed) return Promise.reject(new SqlUnavailableError("the SQL service is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ message, timeoutMs, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  /** Lets the request in flight finish, closes every database and ends the child; queued requests fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0))
      pending.reject(new SqlUnavailableError("the SQL service closed"));
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // The child closes its databases when the IPC channel closes; a request in flight disconnects on reply.
    if (!this.current) child.disconnect();
    await exited;
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const pending = this.queue.shift()!;
    const child = this.ensureChild();
    const id = this.nextId++;
    const timer =
      pending.timeoutMs === undefined
        ? undefined
        : setTimeout(() => this.interrupt(child, pending.timeoutMs!), pending.timeoutMs);
    this.current = { ...pending, timer, message: { ...pending.message, id } };
    child.send(this.current.message, (error) => {
      if (error) this.lost(child, error);
    });
  }

  /**
   * The child cannot be reached: it died before its exit was seen (a send then fails with EPIPE), or
   * it could not be started. Without a callback or an `error` listener Node would throw that from
   * the child process object, an uncaught exception in axond. It is dropped as if it had exited.
   */
  private lost(child: ChildProcess, error: Error): void {
    child.kill("SIGKILL");
    this.drop(
      child,
      `the SQL host could not be reached (${error.message})`,
      `unreachable (${error.message})`,
    );
  }

  /**
   * Forgets `child` unless that was done already: the request in flight fails with `failure`, and
   * unless the service is closing the next request starts a new child.
   */
  private drop(child: ChildProcess, failure: string, restartReason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    const current = this.current;
    this.current = undefined;
    if (current) {
      clearTimeout(current.timer);
      current.reject(new SqlUnavailableError(failure));
    }
    if (!this.closed) {
      this.events.onRestart(restartReason);
      this.pump();
    }
  }

  private interrupt(child: ChildProcess, timeoutMs: number): void {
    const current = this.current;
    if (!current || this.child !== child) return;
    this.current = undefined;
    this.child = undefined;
    child.kill("SIGKILL");
    current.reject(
      new SqlInterruptedError(`the statement ran longer than ${timeoutMs} ms and was interrupted`),
    );
    this.events.onRestart("statement time limit");
    this.pump();
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(SQL_HOST_SCRIPT, [this.label], {
      serialization: "advanced",
      // --expose-gc: the host collects closed connections' statements so their files are released.
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (reply: { id: number; ok?: unknown; error?: SqlFailure }) => {
      const current = this.current;
      if (this.child !== child || !current || current.message.id !== reply.id) return;
      clearTimeout(current.timer);
      this.current = undefined;
      if (reply.error) current.reject(new SqlHostError(reply.error));
      else current.resolve(reply.ok);
      if (this.closed) child.disconnect();
      else this.pump();
    });
    child.on("exit", (code, signal) => {
      this.drop(
        child,
        `the SQL host exited (${signal ?? code}) during the request`,
        `exited (${signal ?? code})`,
      );
    });
    child.on("error", (error) => this.lost(child, error));
    child.send({ id: 0, op: "configure", maxOpen: this.maxOpenDatabases }, (error) => {
      if (error) this.lost(child, error);
    });
    this.child = child;
    return child;
  }
}

/** A request the host could not carry out; `failure` is SQLite's message and code. */
export class SqlHostError extends Error {
  override readonly name = "SqlHostError";
  constructor(readonly failure: SqlFailure) {
    super(failure.message);
  }
}
