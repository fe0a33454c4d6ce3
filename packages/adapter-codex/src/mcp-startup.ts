/** Where Codex says an MCP server stands (`mcpServer/startupStatus/updated`). */
export type McpStartupState = "starting" | "ready" | "failed" | "cancelled";

export interface McpStartupOutcome {
  /** Servers that failed or were cancelled, with Codex's error. */
  readonly failed: readonly { readonly name: string; readonly error: string }[];
  /** Servers with no final word before the deadline. */
  readonly pending: readonly string[];
}

/**
 * The startup states Codex reports for its MCP servers. Codex starts them in the background and a
 * turn that begins before one is ready is offered none of its tools, so the adapter waits for
 * every server of the mount to settle before it reports the session started.
 */
export class McpStartup {
  private readonly states = new Map<string, { state: McpStartupState; error: string | null }>();
  private readonly waiters = new Set<() => void>();

  update(name: string, state: McpStartupState, error: string | null): void {
    this.states.set(name, { state, error });
    for (const wake of [...this.waiters]) wake();
  }

  /** What became of `names` once each is ready, failed or cancelled, or once `deadline` resolves. */
  async settle(names: readonly string[], deadline: Promise<void>): Promise<McpStartupOutcome> {
    let timedOut = false;
    void deadline.then(() => {
      timedOut = true;
      for (const wake of [...this.waiters]) wake();
    });
    while (!timedOut && this.unsettled(names).length > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
    return this.outcome(names);
  }

  outcome(names: readonly string[]): McpStartupOutcome {
    const failed = names.flatMap((name) => {
      const entry = this.states.get(name);
      return entry && (entry.state === "failed" || entry.state === "cancelled")
        ? [{ name, error: entry.error ?? entry.state }]
        : [];
    });
    return { failed, pending: this.unsettled(names) };
  }

  private unsettled(names: readonly string[]): string[] {
    return names.filter((name) => {
      const state = this.states.get(name)?.state;
      return state === undefined || state === "starting";
    });
  }
}
