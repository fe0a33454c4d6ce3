import type { Client } from "@connectrpc/connect";
import type { RuntimeService } from "@openaxon/protocol";
import { createRuntimeToWire, toRuntime, updateRuntimeToWire } from "./runtime-convert.js";
import type { CreateRuntimeInput, Runtime, UpdateRuntimeInput } from "./runtime-types.js";
import type { CallOptions } from "./types.js";

/**
 * Managing runtimes: `client.runtimes`. Every method resolves to the runtime as it is after the
 * call; errors are ConnectErrors with the server's codes (INVALID_ARGUMENT for a bad request,
 * NOT_FOUND, FAILED_PRECONDITION for an impossible transition, UNAVAILABLE while it shuts down).
 */
export interface Runtimes {
  /** Resolves once the runtime is "running" — or "failed", with `statusReason` saying why. */
  create(input: CreateRuntimeInput, options?: CallOptions): Promise<Runtime>;
  get(id: string, options?: CallOptions): Promise<Runtime>;
  /** Every runtime, shut-down ones included, oldest first. */
  list(options?: CallOptions): Promise<Runtime[]>;
  /** Stops the agents, keeps working directories and sessions. Interrupts a running turn. */
  suspend(id: string, options?: CallOptions): Promise<Runtime>;
  /** Restarts the agents of a suspended runtime (or retries a failed one). */
  resume(id: string, options?: CallOptions): Promise<Runtime>;
  /** Stops for good; the axons are free to be mounted by another runtime. */
  shutdown(id: string, options?: CallOptions): Promise<Runtime>;
  /**
   * Changes a mount's agent (protocol, binary, args, env, model, MCP servers, permission policy),
   * the runtime's env or its lifecycle in place. Resolves once recorded (`runtime.updated` in the
   * axon); a running turn finishes on the old agent, the next turns run on the new one. A new
   * protocol or binary starts a fresh session primed with a transcript of the earlier turns.
   */
  update(id: string, input: UpdateRuntimeInput, options?: CallOptions): Promise<Runtime>;
}

export function createRuntimes(rpc: Client<typeof RuntimeService>): Runtimes {
  return {
    async create(input, options) {
      return toRuntime((await rpc.createRuntime(createRuntimeToWire(input), options)).runtime);
    },
    async get(id, options) {
      return toRuntime((await rpc.getRuntime({ id }, options)).runtime);
    },
    async list(options) {
      return (await rpc.listRuntimes({}, options)).runtimes.map((runtime) => toRuntime(runtime));
    },
    async suspend(id, options) {
      return toRuntime((await rpc.suspendRuntime({ id }, options)).runtime);
    },
    async resume(id, options) {
      return toRuntime((await rpc.resumeRuntime({ id }, options)).runtime);
    },
    async shutdown(id, options) {
      return toRuntime((await rpc.shutdownRuntime({ id }, options)).runtime);
    },
    async update(id, input, options) {
      return toRuntime((await rpc.updateRuntime(updateRuntimeToWire(id, input), options)).runtime);
    },
  };
}
