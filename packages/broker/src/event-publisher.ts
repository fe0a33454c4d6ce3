import type { AxonLink } from "./axon-link.js";
import { Origin } from "./axon-link.js";

/**
 * Everything the broker writes goes through one chain, so events land in the order the broker
 * decided them even over a link that could reorder concurrent calls (a remote client), and stop()
 * can wait for the last one.
 */
export class EventPublisher {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly link: AxonLink,
    private readonly axonId: string,
    private readonly source: string,
  ) {}

  system(eventType: string, payload: object, idempotencyKey?: string) {
    return this.enqueue(Origin.System, eventType, payload, idempotencyKey);
  }

  agent(eventType: string, payload: object) {
    return this.enqueue(Origin.Agent, eventType, payload, undefined);
  }

  /** Resolves once everything published so far has settled. */
  async idle(): Promise<void> {
    await this.tail.catch(() => {});
  }

  private enqueue(
    origin: Origin,
    eventType: string,
    payload: object,
    idempotencyKey: string | undefined,
  ): Promise<{ sequence: number; duplicate: boolean }> {
    const run = async () => {
      const result = await this.link.publish(
        this.axonId,
        { origin, source: this.source, eventType, payload: JSON.stringify(payload) },
        idempotencyKey ? { idempotencyKey } : undefined,
      );
      return { sequence: result.sequence, duplicate: result.duplicate ?? false };
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => {});
    return next;
  }
}
