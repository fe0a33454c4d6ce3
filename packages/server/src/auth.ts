import { BlockList, isIP } from "node:net";

/** 127.0.0.0/8 and ::1. BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * True for hosts only this machine can reach: 127.0.0.0/8, ::1 and localhost, in any spelling of
 * the address (brackets, zeros written out, IPv4-mapped IPv6).
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? "ipv4" : "ipv6");
}

/** Serving beyond loopback without a key would expose every axon to the network: refuse to start. */
export function assertAuthConfigured(host: string, apiKeys: readonly string[]): void {
  if (apiKeys.some((key) => key.trim() === "")) {
    throw new Error("apiKeys contains an empty key; remove it or set a real secret");
  }
  if (apiKeys.length === 0 && !isLoopbackHost(host)) {
    throw new Error(
      `refusing to serve on ${host} without an API key: anyone who can reach it could read and write every axon. ` +
        "Configure at least one API key, or listen on a loopback address such as 127.0.0.1.",
    );
  }
}

/**
 * Off loopback, bearer keys and events cross the network: without TLS anyone on the path reads
 * them. Refuse unless the operator says cleartext is fine there (TLS ends at a proxy in front, or
 * the network is trusted).
 */
export function assertTransportSecure(host: string, tls: boolean, allowCleartext: boolean): void {
  if (tls || allowCleartext || isLoopbackHost(host)) return;
  throw new Error(
    `refusing to serve on ${host} in cleartext: API keys and events would cross the network unencrypted. ` +
      "Configure TLS (a certificate and key), or set allowCleartext when TLS ends at a proxy in front of this server.",
  );
}
