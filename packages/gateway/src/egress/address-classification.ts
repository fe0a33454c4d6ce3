import {
  type Cidr,
  cidr,
  cidrContains,
  formatIp,
  type IpAddress,
  parseIpLiteral,
  sameIp,
} from "./ip-address.js";

/**
 * What an address is, for egress decisions. Only `public` is reachable without a CIDR rule;
 * `cloud-metadata` needs a rule naming that exact address.
 */
export type AddressCategory =
  | "public"
  | "private"
  | "loopback"
  | "link-local"
  | "cgnat"
  | "multicast"
  | "unspecified"
  | "broadcast"
  | "reserved"
  | "cloud-metadata"
  | "host";

/** How an IPv6 address carries an IPv4 one. */
export type EmbeddingKind =
  | "ipv4-mapped"
  | "ipv4-translated"
  | "ipv4-compatible"
  | "nat64"
  | "6to4"
  | "teredo";

export interface AddressClassification {
  /** Canonical text of the classified address. */
  readonly address: string;
  readonly category: AddressCategory;
  /** Set when an IPv6 address embeds an IPv4 one; the category then describes the IPv4 address. */
  readonly embedded?: { readonly via: EmbeddingKind; readonly ipv4: string };
  /** The address rules are matched against: the embedded IPv4 address when there is one. */
  readonly effective: IpAddress;
}

/**
 * Cloud instance-metadata and host-agent endpoints. They hand out credentials, so they are denied
 * even under a CIDR rule that covers them; only a rule naming the exact address opens one.
 */
export const CLOUD_METADATA_ADDRESSES: readonly string[] = [
  "169.254.169.254", // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle, Hetzner…
  "169.254.170.2", // AWS ECS task metadata and credentials
  "169.254.170.23", // AWS EKS Pod Identity agent
  "169.254.0.23", // Tencent Cloud
  "100.100.100.200", // Alibaba Cloud
  "192.0.0.192", // Oracle Cloud (legacy)
  "168.63.129.16", // Azure WireServer — a public address, so only this list catches it
  "fd00:ec2::254", // AWS IMDS over IPv6
  "fd00:ec2::23", // AWS EKS Pod Identity over IPv6
  "fd20:ce::254", // GCP metadata over IPv6
];

const METADATA = CLOUD_METADATA_ADDRESSES.map((text) => parseIpLiteral(text)!);

// Most specific first; the first match wins.
const IPV4_RANGES: ReadonlyArray<readonly [Cidr, AddressCategory]> = [
  [cidr("255.255.255.255/32"), "broadcast"],
  [cidr("0.0.0.0/8"), "unspecified"], // "this network": 0.0.0.0 connects to the local host
  [cidr("10.0.0.0/8"), "private"],
  [cidr("172.16.0.0/12"), "private"],
  [cidr("192.168.0.0/16"), "private"],
  [cidr("100.64.0.0/10"), "cgnat"],
  [cidr("127.0.0.0/8"), "loopback"],
  [cidr("169.254.0.0/16"), "link-local"],
  [cidr("192.0.0.0/24"), "reserved"], // IETF protocol assignments
  [cidr("192.0.2.0/24"), "reserved"], // documentation
  [cidr("192.88.99.0/24"), "reserved"], // deprecated 6to4 relay anycast
  [cidr("198.18.0.0/15"), "reserved"], // benchmarking
  [cidr("198.51.100.0/24"), "reserved"], // documentation
  [cidr("203.0.113.0/24"), "reserved"], // documentation
  [cidr("224.0.0.0/4"), "multicast"],
  [cidr("240.0.0.0/4"), "reserved"],
];

const IPV6_RANGES: ReadonlyArray<readonly [Cidr, AddressCategory]> = [
  [cidr("::/128"), "unspecified"],
  [cidr("::1/128"), "loopback"],
  [cidr("64:ff9b:1::/48"), "private"], // local-use NAT64: translates into the local network
  [cidr("::/8"), "reserved"],
  [cidr("100::/64"), "reserved"], // discard-only
  [cidr("2001::/23"), "reserved"], // IETF protocol assignments (Teredo is unwrapped before this)
  [cidr("2001:db8::/32"), "reserved"], // documentation
  [cidr("3fff::/20"), "reserved"], // documentation
  [cidr("5f00::/16"), "reserved"], // SRv6 SIDs
  [cidr("fc00::/7"), "private"], // unique local
  [cidr("fe80::/10"), "link-local"],
  [cidr("fec0::/10"), "private"], // deprecated site-local
  [cidr("ff00::/8"), "multicast"],
];

const GLOBAL_UNICAST_V6 = cidr("2000::/3");

export interface ClassifyOptions {
  /** This machine's own addresses (see `hostAddresses()`); a public one among them is `host`. */
  readonly hostAddresses?: readonly IpAddress[];
}

/**
 * Classifies an IP address. IPv6 addresses that embed an IPv4 address (mapped, translated,
 * compatible, NAT64, 6to4, Teredo) are classified as the IPv4 address they carry, because that is
 * where a connection to them ends up.
 */
export function classifyAddress(ip: IpAddress, options: ClassifyOptions = {}): AddressClassification {
  const address = formatIp(ip);
  if (METADATA.some((m) => sameIp(m, ip))) return { address, category: "cloud-metadata", effective: ip };
  const embedding = ip.version === 6 ? unwrapIpv4(ip) : undefined;
  const effective = embedding?.ipv4 ?? ip;
  let category: AddressCategory = METADATA.some((m) => sameIp(m, effective))
    ? "cloud-metadata"
    : categoryOf(effective);
  const own = options.hostAddresses ?? [];
  if (category === "public" && own.some((h) => sameIp(h, effective) || sameIp(h, ip))) category = "host";
  return embedding
    ? { address, category, embedded: { via: embedding.via, ipv4: formatIp(embedding.ipv4) }, effective }
    : { address, category, effective };
}

function categoryOf(ip: IpAddress): AddressCategory {
  const table = ip.version === 4 ? IPV4_RANGES : IPV6_RANGES;
  for (const [range, category] of table) if (cidrContains(range, ip)) return category;
  if (ip.version === 6 && !cidrContains(GLOBAL_UNICAST_V6, ip)) return "reserved";
  return "public";
}

const NAT64 = cidr("64:ff9b::/96");
const SIX_TO_FOUR = cidr("2002::/16");
const TEREDO = cidr("2001::/32");
const TRANSLATED = cidr("::ffff:0:0:0/96");
const COMPATIBLE = cidr("::/96");

function unwrapIpv4(ip: IpAddress): { via: EmbeddingKind; ipv4: IpAddress } | undefined {
  const b = ip.bytes;
  const v4 = (offset: number, invert = false): IpAddress => ({
    version: 4,
    bytes: Uint8Array.from(b.subarray(offset, offset + 4), (x) => (invert ? x ^ 0xff : x)),
  });
  // Tested on the raw bytes: parseCidr stores "::ffff:0:0/96" as the IPv4 network 0.0.0.0/0.
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return { via: "ipv4-mapped", ipv4: v4(12) };
  }
  if (cidrContains(TRANSLATED, ip)) return { via: "ipv4-translated", ipv4: v4(12) };
  if (cidrContains(NAT64, ip)) return { via: "nat64", ipv4: v4(12) };
  if (cidrContains(SIX_TO_FOUR, ip)) return { via: "6to4", ipv4: v4(2) };
  // Teredo: the client's IPv4 address is the last 32 bits, inverted.
  if (cidrContains(TEREDO, ip)) return { via: "teredo", ipv4: v4(12, true) };
  // "::" and "::1" are the IPv6 unspecified and loopback addresses, not IPv4-compatible ones.
  const unspecifiedOrLoopback = b[12] === 0 && b[13] === 0 && b[14] === 0 && (b[15] === 0 || b[15] === 1);
  if (cidrContains(COMPATIBLE, ip) && !unspecifiedOrLoopback) return { via: "ipv4-compatible", ipv4: v4(12) };
  return undefined;
}
