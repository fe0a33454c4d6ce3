import { networkInterfaces } from "node:os";
import { type IpAddress, parseIpLiteral } from "./ip-address.js";

/**
 * This machine's own interface addresses. A request to one of them reaches services on this host
 * (including axond itself) even when the address is public, so the classifier marks it `host`.
 * Read on every call: interfaces come and go (VPNs, containers).
 */
export function hostAddresses(): IpAddress[] {
  const out: IpAddress[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      const ip = parseIpLiteral(entry.address.split("%")[0]!);
      if (ip) out.push(ip);
    }
  }
  return out;
}
