import type { Duplex } from "node:stream";
import { type CompiledEgressPolicy, compileEgressPolicyOrThrow, type EgressRules } from "./policy.js";

export interface RuntimeState {
  policy: CompiledEgressPolicy | undefined;
  readonly maxTunnels: number;
  readonly connections: Set<Duplex>;
}

/** The runtimes the proxy serves: each one's compiled policy, tunnel cap and open connections. */
export class RuntimeTable {
  readonly #runtimes = new Map<string, RuntimeState>();

  constructor(private readonly defaultMaxTunnels: number) {}

  /** Registers (or re-registers, keeping its open connections) a runtime. Throws on invalid rules. */
  register(runtimeId: string, policy: EgressRules | undefined, maxTunnels?: number): void {
    const compiled = policy ? compileEgressPolicyOrThrow(policy) : undefined;
    this.#runtimes.set(runtimeId, {
      policy: compiled,
      maxTunnels: maxTunnels ?? this.defaultMaxTunnels,
      connections: this.#runtimes.get(runtimeId)?.connections ?? new Set(),
    });
  }

  get(runtimeId: string): RuntimeState | undefined {
    return this.#runtimes.get(runtimeId);
  }

  has(runtimeId: string): boolean {
    return this.#runtimes.has(runtimeId);
  }

  updatePolicy(runtimeId: string, policy: EgressRules | undefined): void {
    const state = this.#runtimes.get(runtimeId);
    if (!state) throw new Error(`runtime ${runtimeId} is not registered with the egress proxy`);
    state.policy = policy ? compileEgressPolicyOrThrow(policy) : undefined;
  }

  /** Forgets the runtime and closes its open connections. */
  remove(runtimeId: string): void {
    const state = this.#runtimes.get(runtimeId);
    this.#runtimes.delete(runtimeId);
    for (const connection of state?.connections ?? []) connection.destroy();
  }

  /** Closes every connection of every runtime and forgets them all. */
  clear(): void {
    for (const state of this.#runtimes.values()) for (const c of state.connections) c.destroy();
    this.#runtimes.clear();
  }

  /** Ties streams to the runtime so revoking it closes them; streams of an unknown runtime close now. */
  track(runtimeId: string, ...streams: Duplex[]): void {
    const set = this.#runtimes.get(runtimeId)?.connections;
    if (!set) {
      for (const s of streams) s.destroy();
      return;
    }
    for (const s of streams) {
      // Keep-alive sockets carry many requests; register each socket once.
      if (set.has(s)) continue;
      set.add(s);
      s.once("close", () => set.delete(s));
    }
  }
}
