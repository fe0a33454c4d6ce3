import { lookup } from "node:dns/promises";

/**
 * Name resolution, injectable so tests (and the simulation) never touch real DNS. The proxy asks
 * once per request and dials only an address from that one answer (DNS-rebinding safe).
 */
export interface Resolver {
  /** Every address `hostname` resolves to, as IP literals. Rejects when it does not resolve. */
  resolve(hostname: string): Promise<string[]>;
}

/** The operating system's resolver (getaddrinfo via `dns.lookup`, so /etc/hosts applies). */
export const systemResolver: Resolver = {
  async resolve(hostname) {
    const answers = await lookup(hostname, { all: true, verbatim: true });
    return answers.map((answer) => answer.address);
  },
};
