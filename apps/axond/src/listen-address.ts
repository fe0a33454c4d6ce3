import { isIPv4, isIPv6 } from "node:net";
import { StartupError } from "./startup-error.js";

export interface ListenAddress {
  /** Host as given, without IPv6 brackets: `127.0.0.1`, `::1`, `localhost`. */
  readonly host: string;
  /** 0 asks the OS for a free port. */
  readonly port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Parses `HOST:PORT`, with IPv6 hosts in brackets (`[::1]:7433`). */
export function parseListenAddress(text: string): ListenAddress {
  const input = text.trim();
  const fail = (why: string): never => {
    throw new StartupError(
      `invalid listen address "${text}": ${why} (expected HOST:PORT, e.g. 127.0.0.1:7433 or [::1]:7433)`,
    );
  };

  let host: string;
  let portText: string;
  if (input.startsWith("[")) {
    const close = input.indexOf("]");
    if (close < 0) fail("missing ] after the IPv6 address");
    host = input.slice(1, close);
    if (!isIPv6(host)) fail(`"${host}" is not an IPv6 address`);
    if (input[close + 1] !== ":") fail("missing :PORT after the IPv6 address");
    portText = input.slice(close + 2);
  } else {
    const colon = input.lastIndexOf(":");
    if (colon < 0) fail("missing :PORT");
    host = input.slice(0, colon);
    portText = input.slice(colon + 1);
    if (host.includes(":")) fail("IPv6 addresses must be written in brackets");
    if (host === "") fail("missing HOST (use 0.0.0.0 to listen on all interfaces)");
    if (!isIPv4(host) && !HOSTNAME.test(host)) fail(`"${host}" is not a valid host`);
  }

  if (!/^\d{1,5}$/.test(portText)) fail(`port "${portText}" is not a number`);
  const port = Number(portText);
  if (port > 65535) fail(`port ${port} is out of range (0-65535)`);
  return { host, port };
}

/** True if only this machine can reach the address: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost") return true;
  if (isIPv4(h)) return h.startsWith("127.");
  if (isIPv6(h)) {
    if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1]!.startsWith("127.");
  }
  return false;
}

/** The URL clients use to reach a listening address; IPv6 hosts get brackets. */
export function formatListenUrl(address: ListenAddress, tls = false): string {
  const host = isIPv6(address.host) ? `[${address.host}]` : address.host;
  return `${tls ? "https" : "http"}://${host}:${address.port}`;
}
