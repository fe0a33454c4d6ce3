/**
 * One thing the world is waiting on that the scheduler may make happen next: a disk sync, a
 * request or response or stream frame on the wire, an agent's next step. Running it is
 * synchronous; whatever it sets off runs when the world next settles.
 */
export interface Action {
  /** What happens, for the trace. */
  readonly label: string;
  readonly run: () => void;
}
