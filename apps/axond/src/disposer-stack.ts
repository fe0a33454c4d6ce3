/**
 * Resources in the order they were opened, closed in reverse. Startup registers each resource as
 * soon as it is open, so a failure at any later step closes exactly what was opened, and shutdown
 * is the same code path. A close that fails is reported and the rest still close.
 */
export class DisposerStack {
  private readonly entries: { name: string; close: () => Promise<void> }[] = [];
  private disposing: Promise<void> | undefined;

  /** Registers `resource` (returned as is) to be closed by `dispose`. */
  use<T>(name: string, resource: T, close: (resource: T) => Promise<void>): T {
    this.entries.push({ name, close: () => close(resource) });
    return resource;
  }

  /** Closes everything, newest first, once; later calls wait for the first. */
  dispose(onError: (name: string, error: unknown) => void): Promise<void> {
    this.disposing ??= (async () => {
      for (let entry = this.entries.pop(); entry; entry = this.entries.pop()) {
        try {
          await entry.close();
        } catch (error) {
          onError(entry.name, error);
        }
      }
    })();
    return this.disposing;
  }
}
