/**
 * Tells open Subscribe streams that their axon was deleted through this service, so they end with
 * NOT_FOUND at once. Deletions made behind the service's back are caught by the heartbeat check.
 */
export class AxonDeletions {
  private readonly listeners = new Map<string, Set<() => void>>();

  onDeleted(axonId: string, listener: () => void): () => void {
    let set = this.listeners.get(axonId);
    if (!set) {
      set = new Set();
      this.listeners.set(axonId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(axonId) === set) this.listeners.delete(axonId);
    };
  }

  notify(axonId: string): void {
    for (const listener of this.listeners.get(axonId) ?? []) listener();
  }
}
