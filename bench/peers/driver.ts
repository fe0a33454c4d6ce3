// One small interface per system under test; the generator (generator.ts) drives them all the same way.

export type DriverName = "axond-grpc" | "axond-sdk" | "redis" | "jetstream";

export interface Driver {
  /** A fresh, empty log to write to; returns its id (axon id, stream key, stream name). */
  createLog(name: string): Promise<string>;
  /** Appends one event and resolves once the system acknowledged it. */
  publish(log: string, payload: string): Promise<void>;
  /** Appends events as one batch (PublishBatch, pipeline/MULTI, async publishes then await all). */
  publishBatch(log: string, payloads: readonly string[]): Promise<void>;
  /** Reads the log from the start; calls `onEvent` with each 1-based position and payload in order. */
  replay(log: string, expected: number, onEvent: (position: number, payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

export async function openDriver(name: DriverName, address: string): Promise<Driver> {
  switch (name) {
    case "axond-grpc":
      return (await import("./axond-grpc-driver.js")).openAxondGrpc(address);
    case "axond-sdk":
      return (await import("./axond-sdk-driver.js")).openAxondSdk(address);
    case "redis":
      return (await import("./redis-driver.js")).openRedis(address);
    case "jetstream":
      return (await import("./jetstream-driver.js")).openJetStream(address);
  }
}
