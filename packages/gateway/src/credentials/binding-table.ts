import { type Binding, type Party, partyOf } from "./binding.js";

const REVOKED_MEMORY = 10_000;

/** What `authorizeBindingRequest` needs to know about bindings and tokens. */
export interface BindingLookup {
  binding(bindingId: string): Binding | undefined;
  revokedBinding(bindingId: string): Party | undefined;
  /** The live binding a token digest was issued for. */
  tokenOwner(tokenDigest: string): Binding | undefined;
  revokedToken(tokenDigest: string): Party | undefined;
}

/**
 * The live bindings by id and by token digest. Revoked and replaced bindings are remembered
 * (without their secret, bounded) so a stale token gets a clear 403 and an audit event attributed
 * to its runtime, instead of an anonymous 404.
 */
export class BindingTable implements BindingLookup {
  readonly #bindings = new Map<string, Binding>();
  readonly #byToken = new Map<string, Binding>();
  readonly #revokedBindings = new Map<string, Party>();
  readonly #revokedTokens = new Map<string, Party>();

  /** Adds a binding, replacing (and revoking) the runtime's binding with the same prefix. */
  add(binding: Binding): void {
    for (const existing of [...this.#bindings.values()]) {
      if (existing.runtimeId === binding.runtimeId && existing.prefix === binding.prefix)
        this.#remove(existing);
    }
    this.#bindings.set(binding.id, binding);
    this.#byToken.set(binding.tokenDigest, binding);
  }

  revokeRuntime(runtimeId: string): void {
    for (const binding of [...this.#bindings.values()])
      if (binding.runtimeId === runtimeId) this.#remove(binding);
  }

  binding(bindingId: string): Binding | undefined {
    return this.#bindings.get(bindingId);
  }

  revokedBinding(bindingId: string): Party | undefined {
    return this.#revokedBindings.get(bindingId);
  }

  tokenOwner(tokenDigest: string): Binding | undefined {
    return this.#byToken.get(tokenDigest);
  }

  revokedToken(tokenDigest: string): Party | undefined {
    return this.#revokedTokens.get(tokenDigest);
  }

  #remove(binding: Binding): void {
    this.#bindings.delete(binding.id);
    this.#byToken.delete(binding.tokenDigest);
    remember(this.#revokedBindings, binding.id, partyOf(binding));
    remember(this.#revokedTokens, binding.tokenDigest, partyOf(binding));
  }
}

function remember(map: Map<string, Party>, key: string, party: Party): void {
  map.set(key, party);
  if (map.size > REVOKED_MEMORY) map.delete(map.keys().next().value!);
}
