import { connect, type Socket } from "node:net";
import type { Dialer, Resolver } from "@openaxon/gateway";

/** A resolver answering from a table; `answers` may be a list of answers, one per call. */
export class TableResolver implements Resolver {
  readonly calls: string[] = [];

  constructor(private readonly table: Record<string, string[] | string[][]>) {}

  async resolve(hostname: string): Promise<string[]> {
    this.calls.push(hostname);
    const entry = this.table[hostname];
    if (!entry || entry.length === 0)
      throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    if (Array.isArray(entry[0])) {
      const sequence = entry as string[][];
      const n = this.calls.filter((h) => h === hostname).length - 1;
      return sequence[Math.min(n, sequence.length - 1)]!;
    }
    return entry as string[];
  }
}

/**
 * A dialer that records what the proxy dials and connects loopback addresses for real; "public"
 * addresses are redirected to a local stand-in from `redirects` ("8.8.8.8:443" → port), and
 * anything else is refused — a test can never make the proxy touch the outside world.
 */
export class RecordingDialer {
  readonly dialled: string[] = [];

  constructor(private readonly redirects: Record<string, number> = {}) {}

  readonly dial: Dialer = (address: string, port: number): Socket => {
    const key = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
    this.dialled.push(key);
    const redirect = this.redirects[key];
    if (redirect !== undefined) return connect({ host: "127.0.0.1", port: redirect });
    if (address.startsWith("127.")) return connect({ host: address, port });
    // Refuse without touching the network: connect to a closed loopback port.
    return connect({ host: "127.0.0.1", port: 1 });
  };
}
