import { isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";

/** An IP address as raw bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A network: the first `prefix` bits of `address`. */
export interface Cidr {
  readonly address: IpAddress;
  readonly prefix: number;
}

/**
 * Parses an IP literal strictly: IPv4 only as four decimal parts ("127.1", "0x7f.0.0.1" and
 * "0177.0.0.1" are rejected — resolvers read them differently, so they are how filters get
 * bypassed), IPv6 without brackets and without a zone id. Returns undefined for anything else.
 */
export function parseIpLiteral(text: string): IpAddress | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    // Leading zeros read as octal in some resolvers ("010.0.0.1" is 8.0.0.1 to inet_aton).
    if (text.split(".").some((part) => part.length > 1 && part.startsWith("0"))) return undefined;
    return { version: 4, bytes: Uint8Array.from(ipaddr.IPv4.parse(text).toByteArray()) };
  }
  if (!text.includes(":") || text.includes("%") || !isIPv6(text)) return undefined;
  // ipaddr.js reads "::a.b.c.d" as IPv4-mapped (::ffff:a.b.c.d), which is a different address;
  // the WHATWG URL parser gets it right and leaves only hex groups behind.
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return { version: 6, bytes: Uint8Array.from(ipaddr.IPv6.parse(canonical).toByteArray()) };
}

/** The canonical text of an address: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIp(ip: IpAddress): string {
  const parsed = ipaddr.fromByteArray(Array.from(ip.bytes));
  return parsed.kind() === "ipv6" ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
}

export function ipv4(a: number, b: number, c: number, d: number): IpAddress {
  return { version: 4, bytes: Uint8Array.of(a, b, c, d) };
}

/** Parses "10.0.0.0/8" or "fd00::/8". Rejects host bits set past the prefix (usually a typo). */
export function parseCidr(text: string): Cidr | { error: string } {
  const slash = text.indexOf("/");
  if (slash < 0) return { error: `"${text}" is not a CIDR (expected address/prefix)` };
  const address = parseIpLiteral(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address) return { error: `"${text}" does not start with a valid IP address` };
  const max = address.version === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return { error: `"${text}" has an invalid prefix length (0-${max})` };
  }
  const cidr = { address, prefix: Number(prefixText) };
  if (!sameBytes(networkOf(cidr), address.bytes)) {
    return {
      error: `"${text}" has host bits set; did you mean ${formatCidr({ ...cidr, address: { version: address.version, bytes: networkOf(cidr) } })}?`,
    };
  }
  return toNativeCidr(cidr);
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.address)}/${cidr.prefix}`;
}

/** True when `ip` lies in `cidr` (same address family only). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.address.version !== ip.version) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.address.bytes[i]! & mask) !== (ip.bytes[i]! & mask)) return false;
  }
  return true;
}

export function sameIp(a: IpAddress, b: IpAddress): boolean {
  return a.version === b.version && sameBytes(a.bytes, b.bytes);
}

/** Shorthand for building constant tables: `cidr("10.0.0.0/8")`; throws on a bad literal. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
}

// "::ffff:10.0.0.0/104" names the same addresses as "10.0.0.0/8": store it that way so rules match
// the unwrapped IPv4 addresses the classifier produces.
function toNativeCidr(value: Cidr): Cidr {
  const b = value.address.bytes;
  const mapped =
    value.address.version === 6 &&
    value.prefix >= 96 &&
    b.subarray(0, 10).every((x) => x === 0) &&
    b[10] === 0xff &&
    b[11] === 0xff;
  return mapped ? { address: { version: 4, bytes: b.slice(12) }, prefix: value.prefix - 96 } : value;
}

function networkOf(value: Cidr): Uint8Array {
  const out = Uint8Array.from(value.address.bytes);
  let bits = value.prefix;
  for (let i = 0; i < out.length; i++, bits -= 8) {
    if (bits >= 8) continue;
    out[i] = bits <= 0 ? 0 : out[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
