import { connect, type Socket } from "node:net";

/**
 * Opens the TCP connection to an address the policy has already checked. Always given an IP
 * literal, never a name, so nothing can re-resolve between the check and the connect. Injectable
 * so tests can stand in for public addresses without anything leaving the machine.
 */
export type Dialer = (address: string, port: number) => Socket;

export const systemDialer: Dialer = (address, port) => connect({ host: address, port });
